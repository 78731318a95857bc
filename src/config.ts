// The environment, parsed once at start-up (contract section 1). Nothing else reads process.env.
import { z } from 'zod';

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const port = z.coerce.number().int().min(0).max(65535);
const fraction = z.coerce.number().min(0).max(1);

export const configSchema = z
  .object({
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres://')
      .optional(),
    /**
     * Hot standbys for reads (LDAP searches, REST reads), comma-separated postgres:// URLs; writes
     * and reads that follow them go to DATABASE_URL (README, "Deployment: several nodes, standbys").
     */
    DATABASE_READ_URL: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((u) => u.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^postgres(ql)?:\/\//, 'each must start with postgres://')))
      .optional(),
    /** A standby further behind the primary than this many seconds gets no reads. */
    DATABASE_READ_MAX_LAG_SECONDS: z.coerce.number().positive().default(10),
    DATA_DIR: z.string().min(1).default('./data'),
    HOST: z.string().min(1).default('127.0.0.1'),
    HTTP_PORT: port.default(8080),
    LDAP_PORT: port.default(1389),
    /** HTTP connections in all and from one address; a request's headers and whole request must arrive within these. */
    HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(2048),
    HTTP_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).default(256),
    HTTP_HEADERS_SECONDS: z.coerce.number().int().min(1).default(10),
    HTTP_REQUEST_SECONDS: z.coerce.number().int().min(1).default(120),
    LDAPS_PORT: port.optional(),
    TLS_CERT_FILE: z.string().min(1).optional(),
    TLS_KEY_FILE: z.string().min(1).optional(),
    LDAP_SUFFIX: z
      .string()
      .regex(/^[a-zA-Z]+=[^,]+(,[a-zA-Z]+=[^,]+)*$/, 'must be a DN such as o=nhs')
      .default('o=nhs'),
    LDAP_ANONYMOUS: bool.default(false),
    LDAP_IDLE_SECONDS: z.coerce.number().int().min(1).default(300),
    LDAP_SIZE_LIMIT: z.coerce.number().int().min(1).default(500),
    /** LDAP connections open at once; past it new ones are refused, with a warning a minute at most. */
    LDAP_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(4096),
    /** LDAP connections from one address that have not (yet) bound successfully. */
    LDAP_MAX_ANONYMOUS_PER_ADDRESS: z.coerce.number().int().min(1).default(64),
    /** Seconds an LDAP message has, from its first byte, to arrive whole (slow senders are cut off). */
    LDAP_PDU_SECONDS: z.coerce.number().positive().max(3600).default(10),
    /** Directory rows kept in memory for LDAP and REST searches (about 1 KB each); 0 keeps none. */
    ENTRY_CACHE_SIZE: z.coerce.number().int().min(0).default(100_000),
    /** And at most this many megabytes of them, by an estimate of each row's size with its encodings. */
    ENTRY_CACHE_MB: z.coerce.number().int().min(1).default(256),
    MAIL_DOMAIN: z
      .string()
      .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'must be a lower-case domain such as nhs.net')
      .default('nhs.net'),
    ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
    DEMO: z.enum(['auto', 'true', 'false']).default('auto'),
    IDENTIFIER_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
    SYNC_LEAVER_THRESHOLD: fraction.default(0.1),
    /** A JSON file of scheduled feeds (README, "Scheduled feeds"); unset: none. */
    SYNC_SCHEDULE: z.string().min(1).optional(),
    LEAVER_RETENTION_DAYS: z.coerce.number().int().min(0).default(30),
    LOCKOUT_ATTEMPTS: z.coerce.number().int().min(1).default(5),
    LOCKOUT_MINUTES: z.coerce.number().min(0).default(15),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((c, ctx) => {
    if (c.DATABASE_READ_URL?.length && !c.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_READ_URL'], message: 'needs DATABASE_URL (the primary)' });
    }
    if (c.LDAPS_PORT !== undefined && !(c.TLS_CERT_FILE && c.TLS_KEY_FILE)) {
      ctx.addIssue({ code: 'custom', path: ['LDAPS_PORT'], message: 'needs TLS_CERT_FILE and TLS_KEY_FILE' });
    }
    if (Boolean(c.TLS_CERT_FILE) !== Boolean(c.TLS_KEY_FILE)) {
      ctx.addIssue({ code: 'custom', path: ['TLS_CERT_FILE'], message: 'TLS_CERT_FILE and TLS_KEY_FILE go together' });
    }
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** Parse the given environment; an empty string counts as unset. Throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // Unknown variables are dropped by z.object; empty strings are treated as unset.
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}

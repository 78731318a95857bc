import t from 'tap';
import { ConfigError, loadConfig } from '../src/config.js';

t.test('defaults are those of the contract', async (t) => {
  const c = loadConfig({});
  t.match(c, {
    DATA_DIR: './data',
    HOST: '127.0.0.1',
    HTTP_PORT: 8080,
    LDAP_PORT: 1389,
    LDAP_SUFFIX: 'o=nhs',
    LDAP_ANONYMOUS: false,
    MAIL_DOMAIN: 'nhs.net',
    DEMO: 'auto',
    SYNC_LEAVER_THRESHOLD: 0.1,
    LEAVER_RETENTION_DAYS: 30,
    LOCKOUT_ATTEMPTS: 5,
    LOCKOUT_MINUTES: 15,
  });
  t.equal(c.DATABASE_URL, undefined);
  t.equal(loadConfig({ HTTP_PORT: '' }).HTTP_PORT, 8080, 'an empty value counts as unset');
});

t.test('bad values are refused, each named', async (t) => {
  const err = t.throws(() =>
    loadConfig({ LDAP_ANONYMOUS: 'yes', SYNC_LEAVER_THRESHOLD: '2', DATABASE_URL: 'mysql://x', MAIL_DOMAIN: 'NHS' }),
  ) as ConfigError;
  t.type(err, ConfigError);
  for (const name of ['LDAP_ANONYMOUS', 'SYNC_LEAVER_THRESHOLD', 'DATABASE_URL', 'MAIL_DOMAIN'])
    t.match(err.message, name);
  t.throws(() => loadConfig({ TLS_CERT_FILE: 'cert.pem' }), /TLS_CERT_FILE and TLS_KEY_FILE go together/);
  t.throws(() => loadConfig({ IDENTIFIER_KEY: 'short' }), /IDENTIFIER_KEY/);
});

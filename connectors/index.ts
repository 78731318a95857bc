// The registry: connectors by name. Adding one is a folder and a line here.
import type { Connector, FeedKind } from './connector.js';
import { csvConnector } from './csv/csv.connector.js';
import { esrConnector } from './esr/esr.connector.js';
import { ldapConnector } from './ldap/ldap.connector.js';
import { odsConnector } from './ods/ods.connector.js';
import { odsSuccessionsConnector } from './ods-successions/ods-successions.connector.js';

// Each connector has a configuration type of its own; the registry holds them all.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyConnector = Connector<FeedKind, any>;

export const connectors: Record<string, AnyConnector> = Object.fromEntries(
  [csvConnector, esrConnector, ldapConnector, odsConnector, odsSuccessionsConnector].map((c) => [c.name, c]),
);

export class UnknownConnector extends Error {
  constructor(readonly connector: string) {
    super(`No connector is called "${connector}"; there are ${Object.keys(connectors).join(', ')}`);
    this.name = 'UnknownConnector';
  }
}

export function getConnector(name: string): AnyConnector {
  const c = Object.hasOwn(connectors, name) ? connectors[name] : undefined;
  if (!c) throw new UnknownConnector(name);
  return c;
}

export * from './connector.js';

import { invalidInput } from '../errors';
import type { DriverDeps, ServiceDriver, ServiceKind, ServiceKindDefinition } from './driver';
import { awsIamServiceKind } from './aws-iam/aws-iam-kind';
import { commandServiceKind } from './command/command-driver';
import { mysqlServiceKind } from './mysql/mysql-kind';
import { postgresKind } from './postgres/postgres-driver';
import { redisKind } from './redis/redis-acl-driver';

/**
 * Every kind of service Latchkey can rotate at. A new kind is one ServiceKindDefinition added here
 * (settings schema, URL form, description, driver).
 */
const definitions: ServiceKindDefinition<never>[] = [
  postgresKind as ServiceKindDefinition<never>,
  redisKind as ServiceKindDefinition<never>,
  mysqlServiceKind as ServiceKindDefinition<never>,
  awsIamServiceKind as ServiceKindDefinition<never>,
  commandServiceKind as ServiceKindDefinition<never>,
];

export interface ServiceKinds {
  /** The definition of a kind; InvalidInput when Latchkey has no driver for it. */
  definition(kind: ServiceKind): ServiceKindDefinition;
  /** One driver per kind, made on first use. */
  driver(kind: ServiceKind): ServiceDriver;
  /** Kinds with a driver here. */
  kinds(): ServiceKind[];
}

export function createServiceKinds(deps: DriverDeps): ServiceKinds {
  const all = new Map<ServiceKind, ServiceKindDefinition>(definitions.map((definition) => [definition.kind, definition as ServiceKindDefinition]));
  const drivers = new Map<ServiceKind, ServiceDriver>();
  const definition = (kind: ServiceKind): ServiceKindDefinition => {
    const found = all.get(kind);
    if (found === undefined) throw invalidInput(`Latchkey has no ${kind} rotator in this version. Kinds available: ${[...all.keys()].join(', ')}.`);
    return found;
  };
  return {
    definition,
    driver(kind) {
      let driver = drivers.get(kind);
      if (driver === undefined) {
        driver = definition(kind).createDriver(deps);
        drivers.set(kind, driver);
      }
      return driver;
    },
    kinds: () => [...all.keys()],
  };
}

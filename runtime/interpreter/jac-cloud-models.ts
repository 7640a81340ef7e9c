// The Jac Cloud modules an app's user model and notifications come from:
//   jac_cloud.jaseci.models { User, NO_PASSWORD }: `class User(BaseUser) { has name: str; }`
//     declares the fields a user registers with (the server reads them, server/user-model.ts);
//     `BaseUser.Collection` exists so a subclass of it still loads.
//   jac_cloud.plugin { WEBSOCKET_MANAGER }: jac-serve serves no WebSocket, so no socket is ever
//     connected and every `notify_*` reaches nobody (as `notify_self` does over HTTP in Jac Cloud).
//   jac_cloud.jaseci.utils { SendGridEmailer }: so a user model's email hooks load; jac-serve has
//     no verification or reset routes that would call them, and sends no email: calling one raises.
import { PyBytes } from '../values/bytes.ts';
import { PyError } from '../values/errors.ts';
import type { Value } from '../values/value.ts';
import { PyClass } from './archetypes.ts';
import { HostObject } from './host-object.ts';

/** The `User` base classes handed out (one per program): their subclasses are user models. */
const userBases = new WeakSet<PyClass>();

/** Whether `cls` subclasses Jac Cloud's `User` directly (as `User.model()` looks for). */
export function isUserModel(cls: PyClass): boolean {
  return cls.bases.some((b) => userBases.has(b));
}

function userBase(): PyClass {
  const user = new PyClass('User', 'User', 'class', [], []);
  user.attributes.set('Collection', new PyClass('Collection', 'User.Collection', 'class', [], []));
  userBases.add(user);
  return user;
}

/** The manager apps notify WebSocket clients through; with no sockets, each notify does nothing. */
export function websocketManager(): HostObject {
  const nothing = () => null;
  return new HostObject('WebSocketManager', {
    get: {},
    methods: { notify_self: nothing, notify_users: nothing, notify_channels: nothing, notify_clients: nothing },
  });
}

function sendGridEmailer(): HostObject {
  const noEmail = (name: string) => () => {
    throw new PyError('NotImplementedError', `SendGridEmailer.${name}: jac-serve sends no email`);
  };
  return new HostObject(
    'type',
    { get: { __name__: () => 'SendGridEmailer' }, methods: { send_verification_code: noEmail('send_verification_code'), send_reset_code: noEmail('send_reset_code') } },
    () => "<class 'SendGridEmailer'>",
  );
}

export function jacCloudModelModules(): Record<string, () => Map<string, Value>> {
  return {
    'jac_cloud.jaseci.utils': () => new Map<string, Value>([['SendGridEmailer', sendGridEmailer()]]),
    'jac_cloud.jaseci.models': () =>
      new Map<string, Value>([
        ['User', userBase()],
        ['NO_PASSWORD', new PyBytes(new Uint8Array([0]))], // Python's bytes(True)
      ]),
    'jac_cloud.plugin': () => new Map<string, Value>([['WEBSOCKET_MANAGER', websocketManager()]]),
  };
}

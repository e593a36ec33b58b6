export { finalizeAddResult } from './cni-add-result.js';
export { httpStatusFor, isEnvironmentField, mapHandlerError, type CniErrorReply } from './cni-error.mapper.js';
export { type CniHandler, type CniStatusReport } from './cni-handler.port.js';
export {
  startCniSocketServer,
  type CniSocketLogger,
  type CniSocketServer,
  type CniSocketServerOptions,
} from './cni-socket.server.js';

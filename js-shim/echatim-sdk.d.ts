// TypeScript typings of echatim-sdk.js (checked by tests/types/usage.ts with tsc --noEmit).

export declare const version: string;

/** Where the wasm lives (absolute from the package root), or its bytes outside WeChat. Call before the first io(). */
export declare function configure(options: { wasmPath?: string; wasmBinary?: ArrayBuffer | Uint8Array }): void;

/** Resolves once the wasm core is loaded. Calls made before that wait for it. */
export declare function ready(): Promise<void>;

export interface SdkError extends Error {
  /** Stable machine-readable code, e.g. "sio.reserved_event". */
  code?: string;
  /** "caller": the call was wrong; "peer": the server broke the protocol; "transport": the network failed. */
  kind?: 'caller' | 'peer' | 'transport';
  /** connect_error: what the server's middleware sent as `data`. */
  data?: unknown;
}

export type DisconnectReason =
  | 'io server disconnect'
  | 'io client disconnect'
  | 'ping timeout'
  | 'transport close'
  | 'transport error'
  | 'parse error'
  | 'forced close';

export interface ManagerOptions {
  path?: string;
  query?: string | Record<string, string | number | boolean>;
  /** 4: Engine.IO 4 (socket.io 3+); 3: Engine.IO 3 (socket.io 2, netty-socketio); 'auto' (default). */
  protocol?: 3 | 4 | 'auto';
  reconnection?: boolean;
  reconnectionAttempts?: number;
  reconnectionDelay?: number;
  reconnectionDelayMax?: number;
  randomizationFactor?: number;
  timeout?: number;
  /** netty-socketio on Engine.IO 4 prefixes binary frames with 0x04: strip it (default false). */
  stripBinaryPrefix?: boolean;
  autoConnect?: boolean;
  forceNew?: boolean;
  multiplex?: boolean;
  wasmPath?: string;
  wasmBinary?: ArrayBuffer | Uint8Array;
}

export interface SocketOptions extends ManagerOptions {
  auth?: Record<string, unknown> | ((cb: (auth: Record<string, unknown>) => void) => void);
}

type Listener = (...args: any[]) => void;

export interface Emitter<Self> {
  on(event: string, fn: Listener): Self;
  once(event: string, fn: Listener): Self;
  off(event?: string, fn?: Listener): Self;
  removeListener(event: string, fn?: Listener): Self;
  removeAllListeners(event?: string): Self;
  listeners(event: string): Listener[];
  hasListeners(event: string): boolean;
}

export interface Manager extends Emitter<Manager> {
  on(event: 'open', fn: () => void): Manager;
  on(event: 'close', fn: (reason: string) => void): Manager;
  on(event: 'error' | 'reconnect_error', fn: (err: SdkError) => void): Manager;
  on(event: 'reconnect_attempt' | 'reconnect', fn: (attempt: number) => void): Manager;
  on(event: 'reconnect_failed', fn: () => void): Manager;
  on(event: string, fn: Listener): Manager;
  open(fn?: () => void): Manager;
  connect(fn?: () => void): Manager;
}

export interface Socket extends Emitter<Socket> {
  readonly io: Manager;
  readonly nsp: string;
  readonly id: string | undefined;
  readonly connected: boolean;
  readonly disconnected: boolean;
  readonly active: boolean;
  auth: SocketOptions['auth'];
  /** The next emit is dropped instead of buffered while disconnected. */
  readonly volatile: Socket;

  on(event: 'connect', fn: () => void): Socket;
  on(event: 'connect_error', fn: (err: SdkError) => void): Socket;
  on(event: 'disconnect', fn: (reason: DisconnectReason) => void): Socket;
  on(event: string, fn: Listener): Socket;

  emit(event: string, ...args: any[]): Socket;
  emitWithAck(event: string, ...args: any[]): Promise<any>;
  /** The next emit's ack callback gets (err, ...args); err after `ms` without an answer. */
  timeout(ms: number): Socket;
  send(...args: any[]): Socket;
  compress(flag: boolean): Socket;
  connect(): Socket;
  open(): Socket;
  disconnect(): Socket;
  close(): Socket;
  onAny(fn: Listener): Socket;
  prependAny(fn: Listener): Socket;
  offAny(fn?: Listener): Socket;
  listenersAny(): Listener[];
}

/** socket.io-client's io(): a socket for the url's namespace, sharing one connection per server. */
export declare function io(url: string, options?: SocketOptions): Socket;
export declare const connect: typeof io;

// ---- The E聊 session: sdk.im and sdk.apis -------------------------------------------------------

export interface ImConfig {
  host: string;
  httpPort?: number;
  socketPort?: number;
  key: string;
  secret?: string;
  apiTransport?: 'HTTP' | 'SOCKET';
  loginAuid: string;
  loginToken: string;
  fileServerConfig?: { use?: string; client?: string; baseUrl?: string; version?: string };
  secure?: boolean;
  wasmPath?: string;
  protocol?: 3 | 4 | 'auto';
  reconnection?: boolean;
  reconnectionAttempts?: number;
  reconnectionDelay?: number;
  reconnectionDelayMax?: number;
  requestTimeout?: number;
  maxHttpRequests?: number;
  outboxPerMessageRecords?: boolean;
  /** Outbox messages on the socket at once (pipelined, in send order); 1..64, default 16. HTTP: always 1. */
  sendWindow?: number;
  /** ms after which an unconfirmed message fails with -1001 and the reason; 0 = never; default 120000. */
  sendTimeout?: number;
  /** What a fresh install's first catch-up hands over: 'all' (default), 'none', or the last N per conversation. */
  historyOnFreshInstall?: 'all' | 'none' | number;
}

export type Way = 'P2P' | 'P2R';
export type MessageType = 'TEXT' | 'IMAGE' | 'AUDIO' | 'VIDEO' | 'POSITION' | 'FILE' | 'NOTIFY' | 'CUSTOM';

export interface ImMessage {
  mid: number;
  seq: number;
  clientMsgId?: string;
  formUser: string;
  toTarget: string;
  way: Way;
  type: MessageType;
  body: any;
  msgOption?: Record<string, unknown>;
  at_users?: string[];
  createTime: number;
  /** 'out': the logged-in user's own message (its delivery back), 'in': another user's. */
  flow: 'in' | 'out';
  /** true: replayed by a fresh install's first catch-up (historyOnFreshInstall), false: live. */
  isHistory: boolean;
  /** true: recalled; body is then {} (never null). */
  recalled?: boolean;
  [field: string]: unknown;
}

/** An outbox message's state ('sendState' event). */
export interface SendState {
  clientMsgId: string;
  state: 'queued' | 'sending' | 'sent' | 'failed';
  /** why it waits again ('queued') or failed; null otherwise. */
  reason: string | null;
}

export interface Conversation {
  way: Way;
  toTarget: string;
  lastMessage?: ImMessage | null;
  unread: number;
  [field: string]: unknown;
}

/** R = {code, msg, data} with the request id echoed. */
export interface ApiResult<T = any> {
  code: 0;
  msg: string;
  data: T;
  requestId: string | null;
}

/** A failed call: server codes (docs/protocol.md section 7) or the SDK's own (-1001 timeout, -1002
 *  network, -1003 not logged in, -1004 closed, -1005 outbox full, -1006 bad answer, 400 invalid argument). */
export interface ApiError extends Error {
  code: number;
  msg: string;
  requestId: string | null;
  fatal?: boolean;
  /** message.send failures: resend with this clientMsgId (the server stores it once). */
  clientMsgId?: string;
}

export type ImState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface Im {
  init(config: ImConfig, callback?: (sdk?: Sdk) => void): Promise<Sdk | undefined>;
  on(event: 'message', fn: (message: ImMessage) => void): Im;
  on(event: 'notify', fn: (notification: { type: string; data: any; createTime: number }) => void): Im;
  on(event: 'state', fn: (state: { state: ImState; reason: string }) => void): Im;
  on(event: 'kicked', fn: (info: { reason: string }) => void): Im;
  on(event: 'sync', fn: (run: { from: number; to: number; count: number }) => void): Im;
  on(event: 'conversation', fn: (conversation: Conversation) => void): Im;
  on(event: 'sent', fn: (result: { code: number; msg: string; data: any; clientMsgId: string }) => void): Im;
  on(event: 'sendState', fn: (state: SendState) => void): Im;
  on(event: 'conversations', fn: (conversations: Conversation[]) => void): Im;
  on(event: 'error', fn: (err: ApiError) => void): Im;
  on(event: string, fn: Listener): Im;
  once(event: string, fn: Listener): Im;
  off(event?: string, fn?: Listener): Im;
  getState(): ImState;
  getConversations(): Promise<Conversation[]>;
  markRead(conversation: { way: Way; toTarget: string }): Promise<ApiResult>;
  close(): void;
}

export interface SendForm {
  toTarget: string;
  way: Way;
  type: MessageType;
  body: any;
  msgOption?: Record<string, unknown>;
  at_users?: string[];
  clientMsgId?: string;
}

export interface Sent {
  mid: number;
  seq: number;
  createTime: number;
  clientMsgId: string;
  duplicate?: boolean;
}

type Call = (form?: Record<string, unknown>, options?: { transport?: 'HTTP' | 'SOCKET' }) => Promise<ApiResult>;

export interface Apis {
  user: { add: Call; update: Call; get: Call; list: Call; update_token: Call; refresh_token: Call };
  friend: { add: Call; del: Call; list: Call; update_alias: Call };
  blacklist: { add: Call; del: Call; list: Call };
  room: { add: Call; update: Call; del: Call; list: Call; list_member: Call; add_user: Call; del_user: Call };
  message: {
    send(form: SendForm): Promise<ApiResult<Sent> & Sent>;
    sync: Call; history: Call; list: Call; recall: Call; read: Call;
  };
  conversation: { list: Call; read: Call; del: Call };
  client: { list: Call };
  file: {
    upload(form: {
      filePath: string;
      name?: string;
      mime?: string;
      onProgress?: (p: { progress: number; totalBytesSent: number; totalBytesExpectedToSend: number }) => void;
    }): Promise<ApiResult<{ url: string; name: string; size: number; mime: string }> & { url: string }>;
  };
}

export declare const im: Im;
export declare const apis: Apis;

/** What init's callback receives: the module itself. */
export interface Sdk {
  version: string;
  im: Im;
  apis: Apis;
  io: typeof io;
}

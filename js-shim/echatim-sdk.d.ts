// TypeScript typings of echatim-sdk.js (checked by tests/types/usage.ts with tsc --noEmit).

export declare const version: string;

/**
 * Where the wasm lives (absolute from the package root), or its bytes outside WeChat. These count until the
 * first io()/im.init/ready() asks for the core (in WeChat the wasm starts loading right after the code that
 * required the SDK: configure there); later ones are ignored with a warning. logLevel: any time.
 */
export declare function configure(options: ConfigureOptions): void;

export interface ConfigureOptions {
  /** Absolute from the package root, e.g. '/utils/echatim-sdk.wasm.br'. */
  wasmPath?: string;
  /** Outside WeChat (Node, browsers): the bytes of echatim-sdk.wasm. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Browsers: where to fetch echatim-sdk.wasm (default: beside the <script>). */
  wasmUrl?: string;
  /** What the whole SDK prints (default 'warn'); the last call wins. */
  logLevel?: LogLevel;
}

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
  /** Connect timeout in ms; 0 fails every attempt at once (socket.io-client's timeout: 0). */
  timeout?: number;
  /** Default for socket.timeout(ms): acks become error-first and fail after this many ms. */
  ackTimeout?: number;
  /** At-least-once emits: each emit is tried up to 1 + retries times (one in flight at a time, in order). */
  retries?: number;
  /** Engine.IO transports, in order: default ['websocket', 'polling'] (long-polling when a WebSocket fails);
   *  ['polling', 'websocket'] starts with polling and upgrades. */
  transports?: Array<'websocket' | 'polling'>;
  /** Without a url: the server's host name (or `host`), port and https. */
  hostname?: string;
  host?: string;
  port?: number | string;
  secure?: boolean;
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

/** socket.io-client's `manager.engine`: the Engine.IO connection (one object per connection). */
export interface Engine extends Emitter<Engine> {
  /** The Engine.IO session id (undefined while opening). */
  readonly id: string | undefined;
  readonly transport: { readonly name: 'websocket' | 'polling' };
  readonly readyState: 'opening' | 'open' | 'closed';
  /** Drops the connection ("forced close"); the manager reconnects. */
  close(): Engine;
  on(event: 'close', fn: (reason: string) => void): Engine;
  on(event: string, fn: Listener): Engine;
}

export interface Manager extends Emitter<Manager> {
  /** The current (or last) Engine.IO connection; null before the first one opens. */
  readonly engine: Engine | null;
  on(event: 'open', fn: () => void): Manager;
  on(event: 'close', fn: (reason: string) => void): Manager;
  on(event: 'error' | 'reconnect_error', fn: (err: SdkError) => void): Manager;
  on(event: 'reconnect_attempt' | 'reconnect', fn: (attempt: number) => void): Manager;
  on(event: 'reconnect_failed', fn: () => void): Manager;
  on(event: string, fn: Listener): Manager;
  open(fn?: () => void): Manager;
  connect(fn?: () => void): Manager;
  socket(nsp: string, options?: SocketOptions): Socket;
  /** socket.io-client's setters (return the manager) and getters (return the value). */
  reconnection(): boolean;
  reconnection(v: boolean): Manager;
  reconnectionAttempts(): number;
  reconnectionAttempts(v: number): Manager;
  reconnectionDelay(): number;
  reconnectionDelay(v: number): Manager;
  reconnectionDelayMax(): number;
  reconnectionDelayMax(v: number): Manager;
  randomizationFactor(): number;
  randomizationFactor(v: number): Manager;
  timeout(): number;
  timeout(v: number): Manager;
}

export interface Socket extends Emitter<Socket> {
  readonly io: Manager;
  readonly nsp: string;
  readonly id: string | undefined;
  readonly connected: boolean;
  readonly disconnected: boolean;
  readonly active: boolean;
  /** Connection-state recovery: the last connect restored the previous session. */
  readonly recovered: boolean;
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
  /** Every packet this socket sends, as (event, ...args) without the ack function. */
  onAnyOutgoing(fn: Listener): Socket;
  prependAnyOutgoing(fn: Listener): Socket;
  offAnyOutgoing(fn?: Listener): Socket;
  listenersAnyOutgoing(): Listener[];
}

/** socket.io-client's io(): a socket for the url's namespace, sharing one connection per server. */
export declare function io(url: string, options?: SocketOptions): Socket;
export declare const connect: typeof io;
/** socket.io-client's Manager: one connection, shared by the sockets of its namespaces. */
export declare const Manager: {
  new (url: string, options?: ManagerOptions): Manager;
  new (options?: ManagerOptions): Manager;
};

// ---- The E聊 session: sdk.im and sdk.apis -------------------------------------------------------
// Shapes: docs/protocol.md section 9 (objects) and 10 (calls); docs/api.md; docs/errors.md (codes).

/** How much the SDK writes to the console. Tokens and JWTs are never logged. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** One server of `hosts`; missing ports default to the top-level httpPort/socketPort. */
export interface ImHost {
  host: string;
  httpPort?: number | string;
  socketPort?: number | string;
}

export interface ImConfig {
  /** Required unless `hosts` is given. */
  host?: string;
  /**
   * Several servers (devserver nodes), in order of preference. The socket moves to the next one when a
   * connection attempt fails (refused, failed handshake) or a server stops answering pings, with the usual
   * backoff and jitter, and stays on the one that works; HTTP calls follow it, and move on only when a
   * request cannot reach its server (never on an error code). Replaces `host` (at most 16).
   */
  hosts?: ImHost[];
  /** Default 58082. */
  httpPort?: number;
  /** Default 59092. */
  socketPort?: number;
  key: string;
  /** Only administrative calls (user.add, user.update_token for another user) use it. */
  secret?: string;
  /** How sdk.apis calls travel (default 'HTTP'); messages always come by socket. */
  apiTransport?: 'HTTP' | 'SOCKET';
  loginAuid: string;
  loginToken: string;
  /** Uploads go to `${baseUrl}/${version}/file/upload`. */
  fileServerConfig?: { use?: string; client?: string; baseUrl?: string; version?: string };
  /** https / wss (default false). */
  secure?: boolean;
  /** Where the wasm is, absolute from the package root (default '/utils/echatim-sdk.wasm.br'). */
  wasmPath?: string;
  protocol?: 3 | 4 | 'auto';
  reconnection?: boolean;
  reconnectionAttempts?: number;
  reconnectionDelay?: number;
  reconnectionDelayMax?: number;
  /** ms for one API call, waiting for the login included (default 15000). */
  requestTimeout?: number;
  /** The offline outbox as one storage record per message (default true); false: one record for all. */
  outboxPerMessageRecords?: boolean;
  /** HTTP calls in flight at once, 1–10 (default 8; wx.request allows 10 with uploads). */
  maxHttpRequests?: number;
  /** Console output of the SDK (default 'warn'). */
  logLevel?: LogLevel;
  /** Outbox messages on the socket at once (pipelined, in send order); 1..64, default 16. HTTP: always 1. */
  sendWindow?: number;
  /** ms after which an unconfirmed message fails with -1001 and the reason; 0 = never; default 120000. */
  sendTimeout?: number;
  /** What a fresh install's first catch-up hands over: 'all' (default), 'none', or the last N per conversation. */
  historyOnFreshInstall?: 'all' | 'none' | number;
}

export type Way = 'P2P' | 'P2R';
export type MessageType = 'TEXT' | 'IMAGE' | 'AUDIO' | 'VIDEO' | 'POSITION' | 'FILE' | 'NOTIFY' | 'CUSTOM';

/** A user's auid (P2P) or a room's rid (P2R). Rooms' rids are numbers; the SDK accepts either spelling. */
export type Target = string | number;

/** The conventional bodies (the server stores any JSON: a CUSTOM body is yours to define). */
export interface TextBody { text: string }
export interface FileBody { url: string; name?: string; size?: number; mime?: string; width?: number; height?: number; duration?: number }
export interface PositionBody { lat: number; lng: number; title?: string }

/** A message as delivered (docs/protocol.md 9.5). */
export interface ImMessage {
  mid: number;
  /** The recipient's (this user's) delivery seq. */
  seq: number;
  clientMsgId: string;
  /** The sender (E聊's spelling). */
  formUser: string;
  /** The peer's auid (P2P) or the rid as a decimal string (P2R). */
  toTarget: string;
  way: Way;
  type: MessageType;
  /** As sent, parsed (TextBody, FileBody, PositionBody or your own); {} once recalled. */
  body: any;
  msgOption: Record<string, unknown>;
  at_users: string[];
  createTime: number;
  /** 'out': the logged-in user's own message (its delivery back), 'in': another user's. */
  flow: 'in' | 'out';
  /** true: replayed by a fresh install's first catch-up (historyOnFreshInstall), false: live. */
  isHistory: boolean;
  /** True once the sender recalled it (body is then {}, never null). */
  recalled: boolean;
  recallTime: number | null;
  [field: string]: unknown;
}

/** An outbox message's state ('sendState' event). */
export interface SendState {
  clientMsgId: string;
  state: 'queued' | 'sending' | 'sent' | 'failed';
  /** why it waits again ('queued') or failed; null otherwise. */
  reason: string | null;
}

/** A conversation from this user's side (docs/protocol.md 9.6). */
export interface Conversation {
  way: Way;
  /** The other user (P2P, whoever wrote last) or the rid as a decimal string (P2R). */
  toTarget: string;
  /** Deliveries after readSeq, not sent by this user and not recalled. */
  unread: number;
  /** This user's read position (a seq of this user). */
  readSeq: number;
  /** This user's seq of the last message. */
  lastSeq: number;
  /** Time of the last message. */
  updateTime: number;
  lastMessage?: ImMessage | null;
  [field: string]: unknown;
}

export interface UserProfile {
  auid: string;
  name: string;
  avatar: string;
  sign: string;
  ext: unknown;
  createTime: number;
  updateTime: number;
}
export interface FriendEntry { auid: string; alias: string; createTime: number; user: UserProfile }
export interface BlacklistEntry { auid: string; createTime: number }
export interface Room {
  rid: number;
  name: string;
  avatar: string;
  notice: string;
  ext: unknown;
  owner: string;
  memberCount: number;
  createTime: number;
  updateTime: number;
}
export interface RoomMember { auid: string; role: 'owner' | 'member'; joinTime: number; user: UserProfile }
export interface OnlineClient { auid: string; loginTime: number; eio: 3 | 4 }
export interface UploadedFile { fid: string; url: string; path: string; name: string; size: number; mime: string }
export interface MessagePage { messages: ImMessage[]; hasMore: boolean }
export interface SyncPage extends MessagePage { maxSeq: number }

/** R = {code, msg, data}, with the request id echoed. */
export interface ApiResult<T> {
  code: 0;
  msg: string;
  data: T;
  requestId: string | null;
}

/**
 * A failed call: the server's codes (docs/protocol.md section 7) or the SDK's own (-1001 … -1008):
 * docs/errors.md says what each means and what to do.
 */
export interface ApiError extends Error {
  code: number;
  msg: string;
  requestId: string | null;
  /** 400: the form field (or config field) at fault, as the application wrote it. */
  field?: string;
  /** On the 'error' event: true when the session ended (init's callback got no sdk). */
  fatal?: boolean;
  /** message.send failures: resend with this clientMsgId (the server stores it once). */
  clientMsgId?: string;
}

/** wx-style callbacks, accepted in the form of every sdk.apis call (as wx.request takes them); R is the
 *  call's result (what its Promise would resolve with). */
export interface Callbacks<R> {
  success?: (result: R) => void;
  fail?: (err: ApiError) => void;
  complete?: (resultOrError: R | ApiError) => void;
}
/** A form with at least one callback: the call answers through them and returns nothing. */
export type WithCallbacks<F, R> = F & Callbacks<R> & (
  | { success: (result: R) => void }
  | { fail: (err: ApiError) => void }
  | { complete: (resultOrError: R | ApiError) => void });

export interface CallOptions {
  /** This call only: over HTTP (wx.request) or the socket, whatever the config's apiTransport. */
  transport?: 'HTTP' | 'SOCKET';
}

/** A call whose form has required fields. Without callbacks it returns a Promise. */
export interface Call<F, T> {
  (form: WithCallbacks<F, ApiResult<T>>, options?: CallOptions): void;
  (form: F, options?: CallOptions): Promise<ApiResult<T>>;
}
/** A call whose form may be left out. */
export interface OptionalCall<F, T> {
  (form: WithCallbacks<F, ApiResult<T>>, options?: CallOptions): void;
  (form?: F, options?: CallOptions): Promise<ApiResult<T>>;
}

/** The fields every call of a logged-in user may add: `auid` names the caller (403 otherwise). */
export interface Acting { auid?: string }
export interface Paging { offset?: number; limit?: number }
export interface ProfileFields { name?: string; avatar?: string; sign?: string; ext?: unknown }
export interface RoomFields { avatar?: string; notice?: string; ext?: unknown }

export interface SendForm {
  toTarget: Target;
  way: Way;
  type: MessageType;
  body: unknown;
  msgOption?: Record<string, unknown>;
  at_users?: string[];
  /** Filled with a fresh id when absent; the server stores a clientMsgId once (resending is safe). */
  clientMsgId?: string;
}

export interface Sent {
  mid: number;
  /** The sender's seq of this message. */
  seq: number;
  createTime: number;
  clientMsgId: string;
  duplicate?: boolean;
}
/** message.send's result: the R envelope, and its data's fields at the top level too. */
export type SendResult = ApiResult<Sent> & Sent;

export interface UploadForm {
  /** A local file: wx.chooseMedia's tempFilePath. */
  filePath: string;
  name?: string;
  mime?: string;
  onProgress?: (p: { progress: number; totalBytesSent: number; totalBytesExpectedToSend: number }) => void;
}
/** file.upload's result: the R envelope, and the file's url at the top level. */
export type UploadResult = ApiResult<UploadedFile> & { url: string };

export interface Apis {
  user: {
    add: Call<{ auid: string; token?: string } & ProfileFields, UserProfile & { token: string }>;
    update: OptionalCall<Acting & ProfileFields, UserProfile>;
    get: Call<{ auid: string }, UserProfile>;
    list: OptionalCall<{ auids?: string[] } & Paging, UserProfile[]>;
    update_token: Call<Acting & { token: string }, { auid: string; token: string }>;
    refresh_token: OptionalCall<Acting, { auid: string; token: string }>;
  };
  friend: {
    add: Call<Acting & { friendAuid: string; alias?: string }, FriendEntry>;
    del: Call<Acting & { friendAuid: string }, { friendAuid: string }>;
    list: OptionalCall<Acting, FriendEntry[]>;
    update_alias: Call<Acting & { friendAuid: string; alias: string }, FriendEntry>;
  };
  blacklist: {
    add: Call<Acting & { blackAuid: string }, BlacklistEntry>;
    del: Call<Acting & { blackAuid: string }, { auid: string }>;
    list: OptionalCall<Acting, BlacklistEntry[]>;
  };
  room: {
    add: Call<Acting & { name: string; members?: string[]; owner?: string } & RoomFields, Room>;
    update: Call<Acting & { rid: Target; name?: string } & RoomFields, Room>;
    del: Call<Acting & { rid: Target }, { rid: number }>;
    list: OptionalCall<Acting, Room[]>;
    list_member: Call<Acting & { rid: Target }, RoomMember[]>;
    add_user: Call<Acting & { rid: Target; auids: string[] }, { rid: number; added: string[] }>;
    del_user: Call<Acting & { rid: Target; auids: string[] }, { rid: number; removed: string[] }>;
  };
  message: {
    /** Through the outbox: sent when possible, stored once (also after an app restart). */
    send: {
      (form: WithCallbacks<SendForm, SendResult>): void;
      (form: SendForm): Promise<SendResult>;
    };
    sync: OptionalCall<Acting & { fromSeq?: number; limit?: number }, SyncPage>;
    /** Newest first page without beforeSeq; page back with the first message's seq as beforeSeq. */
    history: Call<Acting & { way: Way; toTarget: Target; beforeSeq?: number; limit?: number }, MessagePage>;
    /** E聊's name for history. */
    list: Call<Acting & { way: Way; toTarget: Target; beforeSeq?: number; limit?: number }, MessagePage>;
    /** Only the sender, within the server's recall window. */
    recall: Call<Acting & { mid: number }, { mid: number; recallTime: number }>;
    /** Marks this message and everything before it read; a P2P sender gets a message.read notify. */
    read: Call<Acting & { mid: number }, Conversation>;
  };
  conversation: {
    list: OptionalCall<Acting, Conversation[]>;
    read: Call<Acting & { way: Way; toTarget: Target }, Conversation>;
    del: Call<Acting & { way: Way; toTarget: Target }, { way: Way; toTarget: string }>;
  };
  client: {
    list: OptionalCall<{ auids?: string[] }, OnlineClient[]>;
  };
  file: {
    upload: {
      (form: WithCallbacks<UploadForm, UploadResult>): void;
      (form: UploadForm): Promise<UploadResult>;
    };
  };
}

/** topic.notify payloads (docs/protocol.md section 12). */
export type Notification =
  | NotificationOf<'friend.added', { auid: string; friendAuid: string; createTime: number }>
  | NotificationOf<'friend.removed', { auid: string; friendAuid: string }>
  | NotificationOf<'room.created' | 'room.updated', Room>
  | NotificationOf<'room.deleted', { rid: number; by: string }>
  | NotificationOf<'room.member.joined' | 'room.member.left', { rid: number; auids: string[]; by: string }>
  | NotificationOf<'user.online' | 'user.offline', { auid: string }>
  | NotificationOf<'session.kicked', { auid: string; reason: string }>
  | NotificationOf<'message.recalled', { mid: number; way: Way; formUser: string; toTarget: string; recallTime: number }>
  | NotificationOf<'message.read', { mid: number; reader: string; way: Way; formUser: string; toTarget: string }>;
export interface NotificationOf<K extends string, D> { type: K; data: D; createTime: number }

export type ImState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface Im {
  /**
   * Connects and logs in; callback(sdk) once logged in, callback() (no argument) on a fatal failure
   * (an 'error' event says why). The Promise never rejects. Call it once, in App.onLaunch or the
   * login page (docs/lifecycle.md); a second call with the same config joins the session there is.
   */
  init(config: ImConfig, callback?: (sdk?: Sdk) => void): Promise<Sdk | undefined>;
  on(event: 'message', fn: (message: ImMessage) => void): Im;
  on(event: 'notify', fn: (notification: Notification) => void): Im;
  on(event: 'state', fn: (state: { state: ImState; reason: string }) => void): Im;
  on(event: 'kicked', fn: (info: { reason: string }) => void): Im;
  on(event: 'sync', fn: (run: { from: number; to: number; count: number }) => void): Im;
  on(event: 'conversation', fn: (conversation: Conversation) => void): Im;
  on(event: 'sent', fn: (result: { code: number; msg: string; data: Sent | null; clientMsgId: string; requestId: string | null }) => void): Im;
  on(event: 'sendState', fn: (state: SendState) => void): Im;
  on(event: 'conversations', fn: (conversations: Conversation[]) => void): Im;
  on(event: 'error', fn: (err: ApiError) => void): Im;
  on(event: string, fn: Listener): Im;
  once(event: 'message', fn: (message: ImMessage) => void): Im;
  once(event: 'state', fn: (state: { state: ImState; reason: string }) => void): Im;
  once(event: 'error', fn: (err: ApiError) => void): Im;
  once(event: string, fn: Listener): Im;
  /** Removes that listener (pages: in onUnload, the function given to on() in onLoad). */
  off(event?: string, fn?: Listener): Im;
  listeners(event: string): Listener[];
  hasListeners(event: string): boolean;
  getState(): ImState;
  getConversations(): Promise<Conversation[]>;
  markRead(conversation: { way: Way; toTarget: Target }): Promise<ApiResult<Conversation>>;
  /** Ends the session: socket closed, no reconnection, pending calls fail with -1004. */
  close(): void;
}

export declare const im: Im;
export declare const apis: Apis;

/** What init's callback receives: the module itself. */
export interface Sdk {
  version: string;
  im: Im;
  apis: Apis;
  io: typeof io;
  connect: typeof io;
  Manager: typeof Manager;
  configure: typeof configure;
  ready: typeof ready;
}

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

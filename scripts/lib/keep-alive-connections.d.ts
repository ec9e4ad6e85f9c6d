/** Types of keep-alive-connections.js (the benchmarks' raw-socket HTTP/1.1 client). */
export declare class KeepAliveConnections {
  /** `count` connections to `url`, each ready to POST `body` (JSON) to `path`. */
  static open(
    url: string,
    path: string,
    body: string,
    count: number,
  ): Promise<KeepAliveConnections>;
  /** Sends the request on a free connection, or when one is free; `done` gets the status. */
  send(done: (status: number | undefined) => void): void;
  close(): void;
}

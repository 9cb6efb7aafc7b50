import { TextDecoder } from 'node:util';

/**
 * A completed 2xx response of {@link resilientFetch}, its body read into memory (at most `maxBodyBytes`).
 *
 * It reads like the Fetch API's `Response` (`ok`, `status`, `headers.get()`, `text()`, `json()`, `arrayBuffer()`,
 * `bytes()`, `blob()`, `clone()`), so code written for `fetch` keeps working. Two differences, both on purpose:
 * the body is already buffered, so it can be read any number of times (`bodyUsed` stays `false`) and there is no
 * streaming `body`; and `truncated` says whether the body was cut at `maxBodyBytes` (only with `onTooLarge: 'truncate'`).
 *
 * The body is kept as bytes: binary content comes back exactly through `arrayBuffer()`/`bytes()`, and only `text()`
 * and `json()` decode it, as UTF-8, all at once (a character split across network chunks is never mangled).
 */
export class ResilientResponse {
  /** Always `true`: non-2xx responses throw `HttpError` instead. Kept for code written against `fetch`. */
  readonly ok = true as const;
  /** Never `true`: the body is buffered and every read returns all of it. */
  readonly bodyUsed = false as const;
  /** No redirects are followed. */
  readonly redirected = false as const;
  readonly type = 'basic' as const;
  // Private for real: `body` is the Fetch API's stream, which this class does not offer.
  readonly #bytes: Uint8Array;

  constructor(
    /** HTTP status, 200 to 299. */
    readonly status: number,
    /** The status line's text, e.g. `OK`. */
    readonly statusText: string,
    /** The response headers (case-insensitive `get`). */
    readonly headers: Headers,
    /** The requested URL. */
    readonly url: string,
    bytes: Uint8Array,
    /**
     * True when the body was longer than `maxBodyBytes` and cut there (only with `onTooLarge: 'truncate'`): the
     * bytes are the first `maxBodyBytes`, and `text()` ends before a character the cut split.
     */
    readonly truncated: boolean,
  ) {
    this.#bytes = bytes;
  }

  /** Body length in bytes (after any truncation). */
  get size(): number {
    return this.#bytes.byteLength;
  }

  /** The body decoded as UTF-8 (a leading BOM dropped, invalid bytes as U+FFFD, as `fetch` does). */
  async text(): Promise<string> {
    return decodeUtf8(this.#bytes, this.truncated);
  }

  /** The body parsed as JSON; rejects with `SyntaxError` when it is not JSON. */
  async json<T = unknown>(): Promise<T> {
    return JSON.parse(decodeUtf8(this.#bytes, this.truncated)) as T;
  }

  /** A copy of the body's bytes. */
  async arrayBuffer(): Promise<ArrayBuffer> {
    const copy = new Uint8Array(this.#bytes.byteLength);
    copy.set(this.#bytes);
    return copy.buffer;
  }

  /** A copy of the body's bytes. */
  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(this.#bytes);
  }

  /** The body as a `Blob` typed with the response's `content-type`. */
  async blob(): Promise<Blob> {
    return new Blob([this.#bytes], { type: this.headers.get('content-type') ?? '' });
  }

  /** Another view of the same response (the body is immutable, so nothing is copied). */
  clone(): ResilientResponse {
    return new ResilientResponse(
      this.status,
      this.statusText,
      new Headers(this.headers),
      this.url,
      this.#bytes,
      this.truncated,
    );
  }
}

/**
 * Decodes UTF-8 in one pass. With `cut`, the bytes end where a limit cut them: an incomplete last character is
 * dropped rather than shown as U+FFFD.
 */
export function decodeUtf8(bytes: Uint8Array, cut = false): string {
  // `stream: true` holds back an incomplete trailing sequence instead of replacing it, which is what a cut needs.
  return new TextDecoder('utf-8').decode(bytes, { stream: cut });
}

// A plain HTTP client over keep-alive connections, as a busy API client would hold them: no retries, no redirects,
// every answer (status, body) handed back as it came.
import { Agent, request } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly body: Buffer;
}

export interface HttpClient {
  get(path: string): Promise<HttpAnswer>;
  /** GET of a JSON answer that must be 200. */
  getJson<T>(path: string): Promise<T>;
  post(path: string, body: Buffer, token: string): Promise<HttpAnswer>;
  close(): void;
}

/** The `code` of an error answer, or a short description of a body that is not one. */
export function answerCode(answer: HttpAnswer): string {
  try {
    const parsed = JSON.parse(answer.body.toString('utf8')) as { code?: unknown };
    if (typeof parsed.code === 'string') return parsed.code;
  } catch {
    // not JSON: described below
  }
  return `(no error code, ${answer.body.length} bytes)`;
}

export function httpClient(baseUrl: string, options: { maxSockets?: number; timeoutMs?: number } = {}): HttpClient {
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
  const timeoutMs = options.timeoutMs ?? 20_000;

  const send = (method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<HttpAnswer> =>
    new Promise((resolve, reject) => {
      const req = request(new URL(path, baseUrl), { method, agent, headers, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error(`${method} ${path}: the answer was cut off`)));
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });

  const get = (path: string) => send('GET', path, {});
  return {
    get,
    getJson: async <T>(path: string): Promise<T> => {
      const answer = await get(path);
      if (answer.status !== 200) throw new Error(`GET ${path}: status ${answer.status} ${answerCode(answer)}`);
      return JSON.parse(answer.body.toString('utf8')) as T;
    },
    post: (path, body, token) =>
      send('POST', path, { 'content-type': 'application/json', 'content-length': String(body.length), authorization: `Bearer ${token}` }, body),
    close: () => agent.destroy(),
  };
}

/** Runs `work` over `items` with at most `width` at a time; results in item order. */
export async function mapConcurrently<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

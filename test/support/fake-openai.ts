/**
 * A fake OpenAI-compatible server for tests: a real HTTP server on 127.0.0.1 (ephemeral port)
 * that answers `POST /v1/chat/completions` from a script and records every request.
 *
 *   const fake = await startFakeOpenAI([{ status: 429, retryAfter: 0 }, { json: { tags: [] } }]);
 *   const client = new OpenAI({ baseURL: fake.url, apiKey: 'test' });
 *   ...
 *   expect(fake.requests).toHaveLength(2);
 *   await fake.close();
 *
 * The script is an array of steps (one per request, in order; `fallback` once exhausted) or a
 * function of the recorded request that returns a step, so a test can answer per note or chunk.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

/** Success: the assistant's content (an object is sent as JSON text), finish_reason 'stop'. */
export interface JsonStep {
  json: unknown;
  usage?: FakeUsage;
}
/** An error status (429, 500, 400, …); `retryAfter` in seconds, `retryAfterMs` in ms (as headers). */
export interface StatusStep {
  status: number;
  retryAfter?: number;
  retryAfterMs?: number;
  /** error message in the OpenAI error body */
  message?: string;
}
/** Wait before answering (to trigger client timeouts); then answer with `then` (or the fallback). */
export interface DelayStep {
  delayMs: number;
  then?: FakeStep;
}
/** Content cut off at the token limit: finish_reason 'length'. */
export interface TruncatedStep {
  truncated: string;
  usage?: FakeUsage;
}
/** Content sent verbatim (not JSON, malformed, wrapped in prose, …), finish_reason 'stop'. */
export interface RawStep {
  raw: string;
  usage?: FakeUsage;
}
export type FakeStep = JsonStep | StatusStep | DelayStep | TruncatedStep | RawStep;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** the body exactly as received */
  rawBody: string;
  /** the parsed JSON body (undefined when it was not JSON) */
  body: ChatRequestBody | undefined;
  /** ms since epoch when the request arrived */
  at: number;
}

export interface ChatRequestBody {
  model?: string;
  messages?: { role: string; content: string | null | { type: string; text?: string }[] }[];
  response_format?: { type: string; json_schema?: { name: string; schema?: unknown; strict?: boolean | null } };
  [key: string]: unknown;
}

/** `index` counts chat-completion requests from 0 (retries included). */
export type FakeScript = FakeStep[] | ((req: RecordedRequest, index: number) => FakeStep | Promise<FakeStep>);

export interface FakeOpenAI {
  /** base URL ending in /v1 */
  url: string;
  /** every request received, in arrival order (chat completions and anything else) */
  requests: RecordedRequest[];
  /** only the chat-completion requests */
  readonly chatRequests: RecordedRequest[];
  close(): Promise<void>;
}

export interface FakeOptions {
  /** the step used when an array script is exhausted; default `{ json: { tags: [] } }` */
  fallback?: FakeStep;
  /** model ids listed by GET /v1/models */
  models?: string[];
}

const approxTokens = (s: string) => Math.max(1, Math.ceil(s.length / 4));

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p: { text?: unknown }) => (typeof p?.text === 'string' ? p.text : '')).join('');
  return '';
}

/** The text of the last user message of a chat request. */
export function lastUserMessage(req: RecordedRequest): string {
  const messages = req.body?.messages ?? [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role === 'user') return messageText(m.content);
  }
  return '';
}

/** Characters of all the message contents of a chat request, as received (JSON escapes decoded). */
export function messageChars(req: RecordedRequest): number {
  return (req.body?.messages ?? []).reduce((sum, m) => sum + messageText(m.content).length, 0);
}

/** The numbered sentences "[n] text" of the first user message of a chat request, by number. */
export function sentencesOf(req: RecordedRequest): Map<number, string> {
  const user = req.body?.messages?.find((m) => m.role === 'user');
  const out = new Map<number, string>();
  for (const line of messageText(user?.content).split('\n')) {
    const m = /^\[(\d+)\] (.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out.set(Number(m[1]), m[2]);
  }
  return out;
}

export async function startFakeOpenAI(script: FakeScript, opts: FakeOptions = {}): Promise<FakeOpenAI> {
  const fallback: FakeStep = opts.fallback ?? { json: { tags: [] } };
  const requests: RecordedRequest[] = [];
  let chatIndex = 0;

  const nextStep = async (req: RecordedRequest): Promise<FakeStep> => {
    const i = chatIndex++;
    if (typeof script === 'function') return script(req, i);
    return script[i] ?? fallback;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: ChatRequestBody | undefined;
      try {
        body = rawBody ? (JSON.parse(rawBody) as ChatRequestBody) : undefined;
      } catch {
        body = undefined;
      }
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, rawBody, body, at: Date.now() };
      requests.push(recorded);
      void handle(recorded, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: { message: String(err), type: 'fake_server_error' } });
      });
    });
  });

  const handle = async (req: RecordedRequest, res: http.ServerResponse): Promise<void> => {
    if (req.method === 'GET' && req.path === '/v1/models') {
      const data = (opts.models ?? ['fake-model']).map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake' }));
      sendJson(res, 200, { object: 'list', data });
      return;
    }
    if (req.method !== 'POST' || req.path !== '/v1/chat/completions') {
      sendJson(res, 404, { error: { message: `no route ${req.method} ${req.path}`, type: 'invalid_request_error' } });
      return;
    }
    if (req.body === undefined) {
      sendJson(res, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
      return;
    }
    await play(await nextStep(req), req, res);
  };

  const play = async (step: FakeStep, req: RecordedRequest, res: http.ServerResponse): Promise<void> => {
    if (res.destroyed) return;
    if ('delayMs' in step) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, step.delayMs);
        res.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (res.destroyed || res.writableEnded) return;
      await play(step.then ?? fallback, req, res);
      return;
    }
    if ('status' in step) {
      const headers: Record<string, string> = {};
      if (step.retryAfter !== undefined) headers['retry-after'] = String(step.retryAfter);
      if (step.retryAfterMs !== undefined) headers['retry-after-ms'] = String(step.retryAfterMs);
      const type = step.status === 429 ? 'rate_limit_error' : step.status >= 500 ? 'server_error' : 'invalid_request_error';
      sendJson(res, step.status, { error: { message: step.message ?? `fake ${step.status}`, type, code: null, param: null } }, headers);
      return;
    }
    let content: string;
    let finish: 'stop' | 'length';
    let usage: FakeUsage | undefined;
    if ('json' in step) {
      content = typeof step.json === 'string' ? step.json : JSON.stringify(step.json);
      finish = 'stop';
      usage = step.usage;
    } else if ('truncated' in step) {
      content = step.truncated;
      finish = 'length';
      usage = step.usage;
    } else {
      content = step.raw;
      finish = 'stop';
      usage = step.usage;
    }
    const promptTokens = usage?.prompt_tokens ?? approxTokens((req.body?.messages ?? []).map((m) => messageText(m.content)).join('\n'));
    const completionTokens = usage?.completion_tokens ?? approxTokens(content);
    sendJson(res, 200, {
      id: `chatcmpl-fake-${requests.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: req.body?.model ?? 'fake-model',
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: finish, logprobs: null }],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: usage?.total_tokens ?? promptTokens + completionTokens },
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    get chatRequests() {
      return requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions');
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

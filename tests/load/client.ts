/**
 * What the cluster smoke, load and fault tests share: a keep-alive HTTP client that measures each
 * request, programmatic sign-in (Auth.js credentials callback with its CSRF token, and a TOTP code
 * for accounts with two-step sign-in), and the memory of a process tree read from /proc.
 */
import { readdir, readFile } from "node:fs/promises";
import http from "node:http";
import { performance } from "node:perf_hooks";

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

export function keepAliveAgent(connections: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
}

/** One HTTP request (loopback); rejects only when no answer came (refused, reset, timeout). */
export function request(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    agent?: http.Agent;
    timeoutMs?: number;
  } = {},
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: options.method ?? "GET",
        headers: {
          ...(options.body !== undefined ? { "content-length": String(Buffer.byteLength(options.body)) } : {}),
          ...options.headers,
        },
        agent: options.agent,
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            ms: performance.now() - started,
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${(options.timeoutMs ?? 30_000) / 1000} s`)));
    req.on("error", reject);
    req.end(options.body);
  });
}

/** name=value pairs of the Set-Cookie headers of an answer. */
function cookiesOf(answer: Answer): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of answer.headers["set-cookie"] ?? []) {
    const pair = line.split(";")[0] ?? "";
    const at = pair.indexOf("=");
    if (at > 0) out.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return out;
}

/**
 * Signs in through the credentials callback as a browser's sign-in form does: the CSRF token and
 * its cookie first, then the form. Returns the Cookie header of the session.
 */
export async function signIn(
  baseUrl: string,
  account: { email: string; password: string; code?: string },
): Promise<string> {
  const csrf = await request(`${baseUrl}/api/auth/csrf`);
  if (csrf.status !== 200) throw new Error(`GET /api/auth/csrf answered ${csrf.status}`);
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const jar = cookiesOf(csrf);
  const form = new URLSearchParams({
    email: account.email,
    password: account.password,
    code: account.code ?? "",
    csrfToken,
    callbackUrl: `${baseUrl}/dashboard`,
  }).toString();
  const answer = await request(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; "),
    },
    body: form,
  });
  const session = [...cookiesOf(answer)].find(([name]) => name.endsWith("authjs.session-token"));
  if (!session?.[1]) {
    throw new Error(
      `sign-in as ${account.email} failed: ${answer.status} ${String(answer.headers.location ?? answer.body.slice(0, 200))}`,
    );
  }
  return `${session[0]}=${session[1]}`;
}

/** pid and all its descendants, parents first (from /proc/<pid>/stat). */
export async function processTree(root: number): Promise<number[]> {
  const children = new Map<number, number[]>();
  for (const entry of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const text = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => null);
    if (!text) continue;
    const ppid = Number(text.slice(text.lastIndexOf(")") + 2).split(" ")[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift() as number;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Resident memory (bytes) of a process and its descendants. */
export async function treeRss(root: number): Promise<number> {
  let rss = 0;
  for (const pid of await processTree(root)) {
    const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    if (kb) rss += Number(kb) * 1024;
  }
  return rss;
}

/** The pids among `pids` that still run (zombies count as gone). */
export async function stillRunning(pids: number[]): Promise<number[]> {
  const alive: number[] = [];
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
    if (stat && stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z") alive.push(pid);
  }
  return alive;
}

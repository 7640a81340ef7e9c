// What the HTTP benchmarks do as a client: POST JSON, and register + log in a user.

/** POSTs JSON; the answer's status and JSON body. */
export async function post(url: string, body: unknown, authorization?: string): Promise<{ status: number; body: any }> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

/** Registers and logs in `email`; its bearer header. */
export async function login(base: string, email: string): Promise<string> {
  const password = 'bench-password';
  const reg = await post(`${base}/user/register`, { email, password });
  if (reg.status !== 201) throw new Error(`register ${email}: ${reg.status} ${JSON.stringify(reg.body)}`);
  const r = await post(`${base}/user/login`, { email, password });
  if (r.status !== 200 || typeof r.body.token !== 'string') throw new Error(`login ${email}: ${r.status} ${JSON.stringify(r.body)}`);
  return `Bearer ${r.body.token}`;
}

// `helm test` smoke check, run with the gateway image's Node (fetch is built in). It passes on a
// default install, which has no user yet:
// 1. every service answers /healthz and /readyz;
// 2. public routes answer 200 through the gateway without a token (SMOKE_PUBLIC_PATHS: the
//    gateway itself, auth's JWKS through it, the OpenAPI document);
// 3. only when the Secret holds an admin login: a login through the gateway and an
//    authenticated read (SMOKE_AUTHENTICATED_PATH) with its token.
const services = JSON.parse(process.env.SMOKE_SERVICES ?? '{}');
const gateway = process.env.SMOKE_GATEWAY;
const failures = [];

async function call(method, url, { body, token } = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(url, {
        method,
        headers: {
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(5000),
      });
      const text = await res.text();
      return { status: res.status, text };
    } catch (err) {
      if (attempt >= 5) return { status: 0, text: String(err) };
      await new Promise((r) => setTimeout(r, attempt * 1000));
    }
  }
}

function check(what, ok, detail) {
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${what}${ok ? '' : `: ${detail}`}\n`);
  if (!ok) failures.push(what);
}

for (const [name, url] of Object.entries(services)) {
  for (const path of ['/healthz', '/readyz']) {
    const r = await call('GET', url + path);
    check(`${name} ${path}`, r.status === 200, `status ${r.status} ${r.text.slice(0, 200)}`);
  }
}

for (const path of (process.env.SMOKE_PUBLIC_PATHS ?? '').split(',').filter(Boolean)) {
  const r = await call('GET', gateway + path);
  check(`GET ${path} through the gateway, no token`, r.status === 200, `status ${r.status} ${r.text.slice(0, 200)}`);
}

const email = process.env.SMOKE_LOGIN_EMAIL;
const password = process.env.SMOKE_LOGIN_PASSWORD;
if (email && password) {
  const r = await call('POST', gateway + process.env.SMOKE_LOGIN_PATH, { body: { email, password } });
  let body = {};
  try { body = JSON.parse(r.text); } catch { /* reported below */ }
  const token = body.accessToken;
  check('login through the gateway', r.status === 200 && typeof token === 'string', `status ${r.status}`);
  if (typeof token === 'string') {
    const a = await call('GET', gateway + process.env.SMOKE_AUTHENTICATED_PATH, { token });
    check(`GET ${process.env.SMOKE_AUTHENTICATED_PATH} with the token`, a.status === 200, `status ${a.status} ${a.text.slice(0, 200)}`);
  }
} else {
  process.stdout.write('skip login: the Secret holds no admin-email/admin-password\n');
}

if (failures.length) {
  process.stdout.write(`${failures.length} check(s) failed\n`);
  process.exit(1);
}
process.stdout.write('smoke test passed\n');

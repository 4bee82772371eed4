// `helm test` smoke check, run with the gateway image's Node (fetch is built in).
// 1. every service answers /healthz and /readyz; 2. a login through the gateway works when the
// Secret holds a login; 3. the availability endpoint answers through the gateway.
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

let token;
const email = process.env.SMOKE_LOGIN_EMAIL;
const password = process.env.SMOKE_LOGIN_PASSWORD;
if (email && password) {
  const r = await call('POST', gateway + process.env.SMOKE_LOGIN_PATH, { body: { email, password } });
  let body = {};
  try { body = JSON.parse(r.text); } catch { /* reported below */ }
  token = body.accessToken;
  check('login through the gateway', r.status === 200 && typeof token === 'string', `status ${r.status}`);
} else {
  process.stdout.write('skip login: the Secret holds no smoke-test login\n');
}

const a = await call('GET', gateway + process.env.SMOKE_AVAILABILITY_PATH, { token });
check('availability through the gateway', a.status === 200, `status ${a.status} ${a.text.slice(0, 200)}`);

if (failures.length) {
  process.stdout.write(`${failures.length} check(s) failed\n`);
  process.exit(1);
}
process.stdout.write('smoke test passed\n');

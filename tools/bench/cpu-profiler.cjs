/**
 * Preloaded into the platform's Node processes by `npm run bench -- --profile`
 * (NODE_OPTIONS=--require; Node 20 refuses --cpu-prof there). The same V8 sampling profiler that
 * --cpu-prof drives, but switched by signals so a profile covers exactly one load phase: the first
 * SIGUSR2 starts it, the next one writes $BENCH_PROFILE_DIR/pid-<pid>-<n>.cpuprofile.
 */
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  let running = false;
  let n = 0;
  process.on('SIGUSR2', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () =>
        session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')),
      );
      return;
    }
    running = false;
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(join(dir, `pid-${process.pid}-${n++}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}

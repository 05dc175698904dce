'use strict';
// Preloaded (`node --require`) into every process that harness/service-process.ts starts.
// Jest gives test files a copy of `process` whose signal and exit listeners never fire, so the
// test cannot kill its children when it is interrupted. Instead each child holds a pipe from the
// test process on stdin and kills itself as soon as that pipe closes: however the test process
// ends (normal exit, Ctrl-C, SIGKILL, a crash), no service outlives it.
const die = () => process.kill(process.pid, 'SIGKILL');
process.stdin.on('end', die);
process.stdin.on('close', die);
process.stdin.on('error', die);
process.stdin.resume();

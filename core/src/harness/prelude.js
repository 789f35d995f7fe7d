//! stub
(function (host) {
  const hooks = { runTicks() { return false; }, runMacrotask() { return false; }, uncaught(v) { return 'UNCAUGHT ' + (v && v.stack); }, exitCode() { return 0; } };
  Object.defineProperty(host, 'hooks', { value: hooks });
  globalThis.print = (...a) => host.writeStdout(a.join(' ') + '\n');
})(globalThis.__polyrun);

import { loadAppConfig } from '../config/app-config';
import type { ServiceIdentity } from '../config/service-identity';
import { colorsWanted, createLogger } from './logger';

const USER_V1: ServiceIdentity = {
  name: 'user-v1',
  defaultDatabase: 'users',
  title: 'User v1',
  description: 'User v1',
};

describe('colorsWanted', () => {
  it.each([
    [{}, true, true],
    [{}, false, false],
    [{ NO_COLOR: '1' }, true, false],
    [{ NO_COLOR: '1', FORCE_COLOR: '1' }, true, false],
    [{ FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '0' }, true, false],
  ])('%j, on a terminal: %p → %p', (env, onTerminal, wanted) => {
    expect(colorsWanted(env, onTerminal)).toBe(wanted);
  });
});

describe('createLogger', () => {
  afterEach(() => {
    delete process.env.NO_COLOR;
    jest.restoreAllMocks();
  });

  function firstLine(logFormat: 'text' | 'json'): string {
    process.env.NO_COLOR = '1';
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    createLogger(loadAppConfig({ LOG_FORMAT: logFormat }, USER_V1)).log('started', 'Bootstrap');
    return String(write.mock.calls[0]?.[0]);
  }

  it('writes text lines without the pid head or colour codes', () => {
    const line = firstLine('text');

    expect(line).not.toContain(String(process.pid));
    expect(line).not.toContain('\x1b[');
    expect(line).toMatch(/^\S.* LOG \[Bootstrap\] started\n$/);
  });

  it('keeps the pid in JSON lines', () => {
    expect(JSON.parse(firstLine('json'))).toMatchObject({
      level: 'log',
      pid: process.pid,
      context: 'Bootstrap',
      message: 'started',
    });
  });
});

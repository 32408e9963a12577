import pino, { type Logger } from 'pino';

/** Structured logs; secrets are redacted wherever they may appear. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'accessKeySecret',
        'secret',
        'password',
        'Password',
        '*.accessKeySecret',
        '*.secret',
        '*.Password',
        'headers.authorization',
        'req.headers.authorization',
      ],
      censor: '[redacted]',
    },
  });
}

-- Signature nonces seen by any API process (cluster replay protection). UNLOGGED: losing them in a crash only
-- reopens the replay window of the last minutes, and the table never costs WAL.
CREATE UNLOGGED TABLE request_nonces (
  nonce text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);

CREATE INDEX request_nonces_expiry ON request_nonces (expires_at);

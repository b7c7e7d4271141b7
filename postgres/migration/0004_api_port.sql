-- api_port is the port of a family's second management API (Whatsminer
-- API v3, Braiins OS gRPC); 0 means the family's default (4433, 50051).
ALTER TABLE miners ADD COLUMN api_port INTEGER NOT NULL DEFAULT 0 CHECK (api_port BETWEEN 0 AND 65535);

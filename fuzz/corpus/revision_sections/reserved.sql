-- Revision ID: 5e6f708192a3
-- Revises:
-- migrate:upgrade
  -- retort: step transactional=false
CREATE INDEX CONCURRENTLY ix ON t (a);
-- retort: lint disable=R001,R002
-- retort: backfill table=t key=id batch=1000
-- migrate:downgrade
-- retort: empty

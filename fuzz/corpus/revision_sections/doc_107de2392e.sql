-- create_user_table
--
-- Revision ID: 123456789abc
-- Revises:
-- Branch Labels:
-- Depends On:
-- Create Date: 2023-01-01 12:00:00.000000

-- migrate:upgrade
CREATE TABLE users (
    id uuid PRIMARY KEY,
    email varchar NOT NULL,
    hashed_password varchar NOT NULL
);

-- migrate:downgrade
DROP TABLE users;

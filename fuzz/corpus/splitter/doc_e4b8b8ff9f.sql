-- migrate:upgrade
CREATE SCHEMA IF NOT EXISTS cars;

CREATE SCHEMA IF NOT EXISTS participants;

CREATE SCHEMA IF NOT EXISTS work_shop;
...

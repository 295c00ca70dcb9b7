-- migrate:upgrade
ALTER TABLE public.users ADD COLUMN full_name character varying(255);

-- migrate:downgrade
-- retort: destructive
ALTER TABLE public.users DROP COLUMN full_name;

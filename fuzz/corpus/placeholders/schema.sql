CREATE SCHEMA IF NOT EXISTS ${schema};
CREATE TABLE ${schema}.users (name text DEFAULT ${n-1:literal});
GRANT USAGE ON SCHEMA ${schema} TO ${app.role};
CREATE FUNCTION ${schema}.f() RETURNS text AS $body$
  SELECT '${x:raw}' || $$${dollar:raw}$$;
$body$ LANGUAGE sql;
SELECT '$${not a placeholder}', $1, $x$${y}$x$;

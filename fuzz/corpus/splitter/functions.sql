CREATE TABLE t (a int, b text DEFAULT 'x;y');
CREATE FUNCTION f() RETURNS trigger AS $$
BEGIN
  NEW.b := 'a;b'; -- ; in a comment
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
/* outer /* nested ; */ still */
CREATE RULE r AS ON INSERT TO t DO ALSO (NOTIFY a; NOTIFY b);
CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;
SELECT E'it\'s;', "we;ird", U&'d\0061t;a';
CREATE INDEX CONCURRENTLY ix ON t (a);
COMMIT;
SELEC 1;

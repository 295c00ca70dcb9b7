CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT DEFAULT 'x;y');
CREATE TRIGGER tr AFTER INSERT ON t BEGIN
  UPDATE t SET b = 'a;b' WHERE a = new.a; -- ;
  SELECT 1;
END;
/* unterminated at the end; VACUUM;

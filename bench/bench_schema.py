"""The table schema the autogenerate benchmarks share: table m_i (id integer
primary key, name text not null, ref integer references m_{i//10}(id),
created_at timestamptz default now()) and an index on name, as
tests/tools/gen_alembic.py's models describe it; with `extra`, one more
column `extra text` per table."""


def tables_sql(n, extra):
    out = []
    for i in range(n):
        cols = ("id integer PRIMARY KEY, name text NOT NULL, "
                f"ref integer REFERENCES m_{i // 10} (id), "
                "created_at timestamptz DEFAULT now()")
        if extra:
            cols += ", extra text"
        out.append(f"CREATE TABLE m_{i} ({cols});\n"
                   f"CREATE INDEX ix_m_{i}_name ON m_{i} (name);\n")
    return "".join(out)

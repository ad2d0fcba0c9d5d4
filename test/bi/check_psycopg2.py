"""Read the BI views as a Python client does: psycopg2 from Debian.

    /usr/bin/python3 check_psycopg2.py DSN

Checks (docs/reporting.md):
  - every view a BI tool reads (all of the schema's but src_*, source_<role>
    and rule_subject): no column of a type psycopg2 cannot parse (it hands an
    unknown type over as an unparsed str), and every numeric column arrives
    as decimal.Decimal, integers as int;
  - customer_profile's aging columns are exact Decimals (the figures of the
    data 050_bi_clients.pl loads);
  - aging::jsonb keeps exact amounts and has a total: its text carries the
    digits as written, and json.loads(..., parse_float=Decimal) -- the
    documented loader -- gives exact Decimals.
Prints "ok ..." per check and "PROBLEM ..." per failure; exit status 1 when
anything failed.
"""
import decimal
import json
import sys

import psycopg2
import psycopg2.extras

problems = []


def ok(what):
    print('ok ' + what)


def problem(what):
    problems.append(what)
    print('PROBLEM ' + what)


conn = psycopg2.connect(sys.argv[1])
cur = conn.cursor()

# the types psycopg2 parses (built-in scalars and their arrays, read as
# Python values) or that are text to a client (enums)
cur.execute("""
    SELECT c.relname
    FROM pg_catalog.pg_class c
    WHERE c.relnamespace = 'customer_class'::regnamespace AND c.relkind IN ('v', 'm')
      AND c.relname !~ '^(src|source)_' AND c.relname <> 'rule_subject'
    ORDER BY 1""")
views = [r[0] for r in cur.fetchall()]
cur.execute("""
    SELECT t.oid, t.typtype, t.typnamespace = 'pg_catalog'::regnamespace, t.typname
    FROM pg_catalog.pg_type t""")
types = {r[0]: (r[1], r[2], r[3]) for r in cur.fetchall()}
NUMERIC, INTS = 1700, (20, 21, 23)

columns = rows = 0
for view in views:
    cur.execute('SELECT * FROM customer_class.%s LIMIT 3' % psycopg2.extensions.quote_ident(view, cur))
    data = cur.fetchall()
    rows += len(data)
    for i, col in enumerate(cur.description):
        columns += 1
        typtype, builtin, typname = types[col.type_code]
        if not (builtin or typtype == 'e'):
            problem('%s.%s: type %s arrives unparsed' % (view, col.name, typname))
        for row in data:
            v = row[i]
            if v is None:
                continue
            if col.type_code == NUMERIC and not isinstance(v, decimal.Decimal):
                problem('%s.%s: numeric arrives as %s' % (view, col.name, type(v).__name__))
            if col.type_code in INTS and not isinstance(v, int):
                problem('%s.%s: integer arrives as %s' % (view, col.name, type(v).__name__))
ok('views %d columns %d rows %d: every type parsed, numbers as Decimal' % (len(views), columns, rows))

# customer_profile: the aging as exact Decimals
cur.execute("""
    SELECT aging_current, aging_1_30, aging_total
    FROM customer_class.customer_profile WHERE customer_id = 1""")
got = cur.fetchone()
want = (decimal.Decimal('500.25'), decimal.Decimal('600.10'), decimal.Decimal('1100.35'))
if got == want and all(isinstance(v, decimal.Decimal) for v in got):
    ok('customer_profile aging of customer 1: %s' % ', '.join(str(v) for v in got))
else:
    problem('customer_profile aging of customer 1: %r, expected %r' % (got, want))

# aging::jsonb: exact amounts and a total
AGING = '{"bounds": [30], "current": 0.10, "1-30": 0.20, "31+": 12345678901234567.89}'
cur.execute('SELECT %s::customer_class.aging::jsonb::text', (AGING,))
text = cur.fetchone()[0]
if '"total": 12345678901234568.19' in text and '12345678901234567.89' in text:
    ok('aging::jsonb text keeps the digits and has the total: ' + text)
else:
    problem('aging::jsonb text: ' + text)

psycopg2.extras.register_default_jsonb(conn_or_curs=conn, loads=lambda s: json.loads(s, parse_float=decimal.Decimal))
cur.execute('SELECT %s::customer_class.aging::jsonb', (AGING,))
doc = cur.fetchone()[0]
if (doc.get('total') == decimal.Decimal('12345678901234568.19')
        and doc.get('current') == decimal.Decimal('0.10')
        and all(isinstance(doc[k], decimal.Decimal) for k in ('current', '1-30', '31+', 'total'))
        and doc['current'] + doc['1-30'] == decimal.Decimal('0.30')):
    ok('aging::jsonb with json.loads(parse_float=Decimal): exact Decimals, total %s' % doc['total'])
else:
    problem('aging::jsonb as Python: %r' % (doc,))

conn.close()
sys.exit(1 if problems else 0)

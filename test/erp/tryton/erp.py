#!/usr/bin/python3
"""Drive the Tryton database of the integration test through Tryton's own
API (proteus, trytond mode: each call is one Tryton transaction, at
REPEATABLE READ, as the server runs it).

Usage (TRYTON_CONF names trytond.conf):
  erp.py DB figures
      per company and customer party: company id, party id, Tryton's
      receivable and credit_amount in that company (the fields Tryton's own
      credit check uses), tab-separated
  erp.py DB confirm-over LIMIT AMOUNT
      a new customer with credit limit LIMIT and one quotation of AMOUNT
      (untaxed; above LIMIT), confirmed as a credit manager does: Tryton warns
      that the limit is exceeded, the manager accepts the warning, and the
      confirmation runs again.  Prints "confirmed" or "refused: <error>".
  erp.py DB confirm-in COMPANY PARTY VISITS
      in company COMPANY, a quotation of VISITS service visits (50 each)
      for the party named PARTY, confirmed as confirm-over does
  erp.py DB race TRIALS [stale]
      per trial a new customer with a limit of 1,000 and two quotations of
      600; two processes confirm one each at the same moment, retrying on a
      serialization or lock failure the way Tryton's server does (5 retries,
      sleeping 0.02 s x attempt).  Prints one line per trial and at the end
      "breaches N of TRIALS": a breach is a customer whose confirmed sales
      (Tryton's credit_amount) exceed the limit.
      With "stale", B's confirmation has read the database (its REPEATABLE
      READ snapshot is taken) when it reaches Tryton's table lock, and is
      held there until A's confirmation has committed: the interleaving in
      which Tryton's own check reads a snapshot without A's sale.
"""
import multiprocessing
import os
import sys
import time
from decimal import Decimal

DB = sys.argv[1]
CONF = os.environ['TRYTON_CONF']
os.environ.setdefault('DB_NAME', DB)


def connect():
    from proteus import config
    return config.set_trytond(DB, config_file=CONF)


def machine_quotation(party, quantity):
    from proteus import Model
    Sale = Model.get('sale.sale')
    machine, = Model.get('product.product').find([('name', '=', 'Machine')])
    sale = Sale(party=party)
    line = sale.lines.new(product=machine)
    line.quantity = float(quantity)
    sale.click('quote')
    return sale


def new_customer(name, limit):
    from proteus import Model
    Party = Model.get('party.party')
    term, = Model.get('account.invoice.payment_term').find(
        [('name', '=', 'Net 30')])
    party = Party(name=name, customer_payment_term=term)
    party.credit_limit_amount = Decimal(limit)
    party.save()
    return party


def use_company(cfg, company_id):
    """Work in that company, as a user switching company in the client."""
    from proteus import Model
    User = Model.get('res.user')
    user = User(cfg.user)
    user.company = Model.get('company.company')(company_id)
    user.save()
    cfg._context = User.get_preferences(True, {})


def figures():
    cfg = connect()
    from proteus import Model
    Company = Model.get('company.company')
    companies = Company.find([], order=[('id', 'ASC')])
    own = {c.party.id for c in companies}
    home = Model.get('res.user')(cfg.user).company.id
    for company in companies:
        use_company(cfg, company.id)
        for party in Model.get('party.party').find([], order=[('id', 'ASC')]):
            if party.id in own:
                continue
            print('%d\t%d\t%s\t%s' % (company.id, party.id,
                    party.receivable.quantize(Decimal('0.01')),
                    Decimal(party.credit_amount).quantize(Decimal('0.01'))))
    use_company(cfg, home)


def confirm_accepting_warnings(cfg, sale):
    from proteus import Model
    from trytond.exceptions import UserWarning
    Warn = Model.get('res.user.warning')
    for _ in range(3):
        try:
            sale.click('confirm')
            print('confirmed')
            return
        except UserWarning as warning:
            # Tryton's own check: a credit manager may go on
            print('tryton warned: %s' % warning.message)
            Warn(user=cfg.user, name=warning.name, always=False).save()
        except Exception as error:
            print('refused: %s' % str(error).strip().splitlines()[0])
            diag = getattr(error, 'diag', None)
            if getattr(error, 'pgcode', None):
                print('sqlstate: %s' % error.pgcode)
            if diag is not None and diag.message_detail:
                print('detail: %s' % diag.message_detail)
            return
    print('still warned')


def confirm_over(limit, amount):
    cfg = connect()
    party = new_customer('Over the limit %d' % time.time(), limit)
    sale = machine_quotation(party, Decimal(amount) / 100)
    confirm_accepting_warnings(cfg, sale)


def confirm_in(company_id, party_name, visits):
    cfg = connect()
    from proteus import Model
    home = Model.get('res.user')(cfg.user).company.id
    use_company(cfg, int(company_id))
    try:
        party, = Model.get('party.party').find([('name', '=', party_name)])
        service, = Model.get('product.product').find(
            [('name', '=', 'Service visit')])
        sale = Model.get('sale.sale')(party=party)
        line = sale.lines.new(product=service)
        line.quantity = float(visits)
        sale.click('quote')
        print('quotation %s in company %s: %s' % (sale.id, company_id,
                sale.untaxed_amount))
        confirm_accepting_warnings(cfg, sale)
    finally:
        use_company(cfg, home)


def racer(name, jobs, results, barrier, stale, b_waits, a_done):
    connect()
    from proteus import Model
    from trytond import backend
    Sale = Model.get('sale.sale')
    held = {'done': True}
    if stale and name == 'B':
        from trytond.backend.postgresql.database import Database
        take_lock = Database.lock

        def late_lock(self, connection, table):
            # the first table lock of the trial waits for A's commit
            if not held['done']:
                held['done'] = True
                b_waits.set()
                a_done.wait(30)
            return take_lock(self, connection, table)
        Database.lock = late_lock
    while True:
        sale_id = jobs.get()
        if sale_id is None:
            return
        sale = Sale(sale_id)
        held['done'] = False
        barrier.wait()
        if stale and name == 'A':
            b_waits.wait(30)
        retries = 5
        for attempt in range(retries + 1):
            if attempt:
                time.sleep(0.02 * attempt)
            try:
                sale.click('confirm')
                outcome = 'confirmed'
            except backend.DatabaseOperationalError as error:
                outcome = 'gave up (%s)' % type(error).__name__
                if attempt < retries:
                    continue
            except Exception as error:
                outcome = 'refused (%s: %s)' % (type(error).__name__,
                    str(error).strip().splitlines()[0][:80])
            break
        if name == 'A':
            a_done.set()
        results.put((name, sale_id, outcome, attempt))


def race(trials, stale):
    connect()
    from proteus import Model
    Sale = Model.get('sale.sale')
    Party = Model.get('party.party')
    pairs = []
    for n in range(trials):
        party = new_customer('Race %d %d' % (time.time(), n), 1000)
        pairs.append((party.id, machine_quotation(party, 6).id,
                machine_quotation(party, 6).id))
    ctx = multiprocessing.get_context('spawn')
    barrier = ctx.Barrier(2)
    b_waits, a_done = ctx.Event(), ctx.Event()
    results = ctx.Queue()
    jobs = [ctx.Queue(), ctx.Queue()]
    workers = [ctx.Process(target=racer, args=(name, queue, results, barrier,
                stale, b_waits, a_done))
        for name, queue in zip('AB', jobs)]
    for worker in workers:
        worker.start()
    breaches = 0
    for n, (party_id, sale_a, sale_b) in enumerate(pairs):
        b_waits.clear()
        a_done.clear()
        jobs[0].put(sale_a)
        jobs[1].put(sale_b)
        outcomes = sorted(results.get(timeout=120) for _ in range(2))
        party = Party(party_id)
        confirmed = Sale.find([('party', '=', party_id),
                ('state', 'in', ['confirmed', 'processing'])])
        breach = party.credit_amount > party.credit_limit_amount
        breaches += breach
        print('trial %d: %s; confirmed %d, credit_amount %s of %s%s' % (n + 1,
                '; '.join('%s %s (retries %d)' % (o[0], o[2], o[3])
                    for o in outcomes), len(confirmed), party.credit_amount,
                party.credit_limit_amount, ' BREACH' if breach else ''),
            flush=True)
    for queue in jobs:
        queue.put(None)
    for worker in workers:
        worker.join(60)
    print('breaches %d of %d' % (breaches, trials))


if __name__ == '__main__':
    command = sys.argv[2]
    if command == 'figures':
        figures()
    elif command == 'confirm-over':
        confirm_over(sys.argv[3], sys.argv[4])
    elif command == 'confirm-in':
        confirm_in(sys.argv[3], sys.argv[4], sys.argv[5])
    elif command == 'race':
        race(int(sys.argv[3]), sys.argv[4:] == ['stale'])
    else:
        sys.exit('unknown command %s' % command)

#!/usr/bin/python3
"""Fill a freshly initialised Tryton 6.0 database with trade data (proteus).

Usage: gen_data.py DBNAME   (TRYTON_CONF names trytond.conf; DB_NAME is set
too, because Tryton's scenario helpers read it when they are imported).

Deterministic for a given day: one random generator seeded with 16, every
date counted back from today.  What it makes, in one company (USD):
  - payment terms "Net 30", "Immediate" and "Half at 30, rest at 60 days"
    (two instalments: two receivable lines per invoice);
  - a dunning procedure whose second level blocks credit;
  - 20 customers "Customer 01".."Customer 20", the first 8 with a credit
    limit (party_party_credit_limit_amount);
  - 4 products (3 stocked goods, 1 service) taxed at 10 %, stock for them;
  - 50 sales over 150 days: some left in draft or quotation, the rest
    confirmed (Tryton's own credit check refuses some);
  - shipments done for most confirmed sales older than a week;
  - invoices posted (dated a few days after the sale) except recent ones;
  - payments: most invoices older than 25 days paid in full, some partly
    (the remainder stays open), some not at all;
  - a few account.payment records and the dunnings of today;
  - a second company (same currency) with its own chart of accounts: the
    first five customers buy services from it too, three of them with a
    credit limit there (a limit is per party and company in Tryton); its
    invoices are posted and one is paid.
"""
import datetime
import os
import random
import sys
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from proteus import Model, Wizard, config as proteus_config

DB = sys.argv[1] if len(sys.argv) > 1 else 'erp'
cfg = proteus_config.set_trytond(DB, config_file=os.environ['TRYTON_CONF'])
os.environ.setdefault('DB_NAME', DB)

# the scenario helpers import trytond.tests.test_tryton: after set_trytond
from trytond.exceptions import UserError, UserWarning  # noqa: E402
from trytond.modules.company.tests.tools import (  # noqa: E402
    create_company, get_company)
from trytond.modules.account.tests.tools import (  # noqa: E402
    create_fiscalyear, create_chart, get_accounts, create_tax)
from trytond.modules.account_invoice.tests.tools import (  # noqa: E402
    set_fiscalyear_invoice_sequences)

rng = random.Random(16)
today = datetime.date.today()


def days_ago(n):
    return today - relativedelta(days=n)


def accepting_warnings(call, *args):
    """Run call(*args); when Tryton asks for a confirmation (UserWarning),
    give it once, as the client's Yes button does, and run it again."""
    Warn = Model.get('res.user.warning')
    for _ in range(5):
        try:
            return call(*args)
        except UserWarning as warning:
            Warn(user=cfg.user, name=warning.name, always=False).save()
    raise RuntimeError('Tryton kept asking for confirmations')


Party = Model.get('party.party')
owner = Party(name='ACME Trading Ltd')
owner.save()
create_company(party=owner)
company = get_company()

year = set_fiscalyear_invoice_sequences(create_fiscalyear(company, today=today))
year.click('create_period')
# a sale of 150 days ago may fall in last year
if days_ago(160) < year.start_date:
    older = set_fiscalyear_invoice_sequences(
        create_fiscalyear(company, today=days_ago(160)))
    older.click('create_period')
create_chart(company)
accounts = get_accounts(company)

Journal = Model.get('account.journal')
cash_journal, = Journal.find([('type', '=', 'cash')])
PayMethod = Model.get('account.invoice.payment.method')
bank = PayMethod(name='Bank', journal=cash_journal,
    credit_account=accounts['cash'], debit_account=accounts['cash'])
bank.save()
vat = create_tax(Decimal('0.10'))
vat.save()

Term = Model.get('account.invoice.payment_term')


def make_term(name, parts):
    """parts: (days, ratio or None for the remainder) per instalment."""
    term = Term(name=name)
    for days, ratio in parts:
        line = term.lines.new(type='percent' if ratio else 'remainder')
        if ratio:
            line.ratio = ratio
        # a new line comes with one empty delta: deltas add up, so reuse it
        delta = line.relativedeltas[0] if line.relativedeltas \
            else line.relativedeltas.new()
        delta.days = days
    term.save()
    return term


net30 = make_term('Net 30', [(30, None)])
immediate = make_term('Immediate', [(0, None)])
halves = make_term('Half at 30, rest at 60 days',
    [(30, Decimal('0.5')), (60, None)])
term_choices = [net30] * 5 + [immediate] * 2 + [halves] * 3

Procedure = Model.get('account.dunning.procedure')
dunning = Procedure(name='Reminders')
dunning.levels.new(sequence=1, overdue=datetime.timedelta(days=15))
blocking = dunning.levels.new(sequence=2, overdue=datetime.timedelta(days=45))
blocking.credit_limit = True
dunning.save()

limits = ['500', '1000', '1500', '2500', '4000', '6000', '8000', '12000']
customers = []
for n in range(1, 21):
    party = Party(name='Customer %02d' % n)
    party.customer_payment_term = rng.choice(term_choices)
    party.dunning_procedure = dunning
    if n <= len(limits):
        party.credit_limit_amount = Decimal(limits[n - 1])
    party.save()
    customers.append(party)

Category = Model.get('product.category')
category = Category(name='Trade goods', accounting=True,
    account_revenue=accounts['revenue'], account_expense=accounts['expense'])
category.customer_taxes.append(vat)
category.save()
unit, = Model.get('product.uom').find([('name', '=', 'Unit')])
Template = Model.get('product.template')
products = []
for name, price, kind in (('Bolt', '10', 'goods'), ('Pump', '25', 'goods'),
        ('Machine', '100', 'goods'), ('Service visit', '50', 'service')):
    template = Template(name=name, default_uom=unit, type=kind, salable=True,
        list_price=Decimal(price), account_category=category)
    template.save()
    products.append(template.products[0])

storage, = Model.get('stock.location').find([('code', '=', 'STO')])
count = Model.get('stock.inventory')(location=storage, date=days_ago(200))
for product in products:
    if product.template.type == 'goods':
        line = count.lines.new(product=product)
        line.quantity = 50000.0
        line.expected_quantity = 0.0
count.click('confirm')

Sale = Model.get('sale.sale')
sales = []
outcome = {'draft': 0, 'quotation': 0, 'confirmed': 0, 'refused': 0}
for sale_date in sorted(days_ago(rng.randint(0, 150)) for _ in range(50)):
    party = rng.choice(customers)
    sale = Sale(party=party, sale_date=sale_date,
        payment_term=party.customer_payment_term)
    sale.invoice_method = 'shipment' if rng.random() < 0.2 else 'order'
    for _ in range(rng.randint(1, 3)):
        line = sale.lines.new(product=rng.choice(products))
        line.quantity = float(rng.randint(1, 20))
    sale.save()
    sales.append(sale)
    dice = rng.random()
    if dice < 0.05:
        outcome['draft'] += 1
        continue
    sale.click('quote')
    if dice < 0.10:
        outcome['quotation'] += 1
        continue
    try:
        sale.click('confirm')
        outcome['confirmed'] += 1
    except (UserError, UserWarning):
        outcome['refused'] += 1        # Tryton's own credit check
print('sales:', outcome)

delivered = 0
for sale in sales:
    sale.reload()
    if sale.state != 'processing' or (today - sale.sale_date).days < 7:
        continue
    if rng.random() < 0.15:
        continue                       # a backorder stays open
    for shipment in sale.shipments:
        if shipment.state != 'waiting':
            continue
        shipment.effective_date = min(today,
            sale.sale_date + relativedelta(days=rng.randint(1, 5)))
        shipment.save()
        for button in ('assign_try', 'pick', 'pack', 'done'):
            shipment.click(button)
        delivered += 1
print('shipments done:', delivered)

Invoice = Model.get('account.invoice')
posting = []
for sale in sales:
    sale.reload()
    if (today - sale.sale_date).days < 5:
        continue                       # recent: the invoice stays draft
    for invoice in sale.invoices:
        if invoice.state == 'draft':
            posting.append((min(today, sale.sale_date
                        + relativedelta(days=rng.randint(0, 6))), invoice.id))
posting.sort()
for invoice_date, invoice_id in posting:
    invoice = Invoice(invoice_id)
    invoice.invoice_date = invoice_date
    invoice.save()
    accepting_warnings(invoice.click, 'post')   # back-dated: due in the past
print('invoices posted:', len(posting))

full = part = 0
for invoice_date, invoice_id in posting:
    if (today - invoice_date).days < 25:
        continue
    dice = rng.random()
    if dice < 0.25:
        continue                       # left unpaid
    invoice = Invoice(invoice_id)
    first_due = min(l.maturity_date for l in invoice.lines_to_pay)
    pay = Wizard('account.invoice.pay', [invoice])
    pay.form.date = min(today, max(invoice_date,
            first_due + relativedelta(days=rng.randint(-15, 25))))
    pay.form.payment_method = bank
    if dice < 0.37:
        pay.form.amount = (invoice.amount_to_pay * Decimal('0.4')).quantize(
            Decimal('0.01'))
        accepting_warnings(pay.execute, 'choice')
        if pay.state != 'end':         # no set of lines matches: keep it open
            pay.form.type = 'partial'
            accepting_warnings(pay.execute, 'pay')
        part += 1
    else:
        accepting_warnings(pay.execute, 'choice')
        full += 1
print('invoices paid in full: %d, in part: %d' % (full, part))

# account.payment: payment orders on open receivable lines (not accounting
# entries themselves: they change no balance)
PaymentJournal = Model.get('account.payment.journal')
manual = PaymentJournal(name='Manual', process_method='manual')
manual.save()
Payment = Model.get('account.payment')
open_lines = Model.get('account.move.line').find([
        ('account.type.receivable', '=', True),
        ('reconciliation', '=', None),
        ('move.state', '=', 'posted'),
        ('debit', '>', 0)], order=[('maturity_date', 'ASC'), ('id', 'ASC')])
for n, line in enumerate(open_lines[:4]):
    wizard = Wizard('account.move.line.pay', [line])
    wizard.form.date = today
    wizard.execute('next_')
    wizard.execute('next_')
    if n % 2:
        continue                       # left in draft
    payment, = Payment.find([('line', '=', line.id)])
    payment.click('approve')
    Wizard('account.payment.process', [payment]).execute('process')
print('account.payment records:', len(Payment.find([])))

Dunning = Model.get('account.dunning')
create = Wizard('account.dunning.create')
create.form.date = today
create.execute('create_')
first = sorted((d for d in Dunning.find([]) if d.level.sequence == 1),
    key=lambda d: (d.maturity_date, d.id))[:3]
if first:
    Wizard('account.dunning.process', first).execute('process')
    again = Wizard('account.dunning.create')
    again.form.date = today
    again.execute('create_')
print('dunnings:', sorted((d.level.sequence, d.state)
        for d in Dunning.find([])))

# --- the second company ----------------------------------------------------
User = Model.get('res.user')
Company = Model.get('company.company')
second_party = Party(name='ACME Services GmbH')
second_party.save()
second = Company(party=second_party, currency=company.currency)
second.save()
admin = User(cfg.user)
admin.companies.append(Company(second.id))
admin.company = Company(second.id)
admin.save()
cfg._context = User.get_preferences(True, {})
second = Company(second.id)
year2 = set_fiscalyear_invoice_sequences(
    create_fiscalyear(second, today=today))
year2.click('create_period')
if days_ago(160) < year2.start_date:
    older2 = set_fiscalyear_invoice_sequences(
        create_fiscalyear(second, today=days_ago(160)))
    older2.click('create_period')
create_chart(second)
accounts2 = get_accounts(second)
cash_journal2, = Journal.find([('type', '=', 'cash')])
bank2 = PayMethod(name='Bank 2', journal=cash_journal2,
    credit_account=accounts2['cash'], debit_account=accounts2['cash'])
bank2.save()
vat2 = create_tax(Decimal('0.10'), company=second)
vat2.save()
# the category's accounts and taxes are per company: set them in this one
category = Category(category.id)
category.account_revenue = accounts2['revenue']
category.account_expense = accounts2['expense']
category.customer_taxes.append(vat2)
category.save()
service = [p for p in products if p.template.type == 'service'][0]
template = Template(service.template.id)    # prices are per company too
template.list_price = Decimal('50')
template.save()
service = Model.get('product.product')(service.id)
for n, limit in enumerate(['700', '3000', '5000']):
    party = Party(customers[n].id)
    party.credit_limit_amount = Decimal(limit)
    party.save()
posted2 = []
for n in range(8):
    party = Party(customers[n % 5].id)
    sale = Sale(party=party, sale_date=days_ago(80 - 9 * n),
        payment_term=party.customer_payment_term)
    sale.invoice_method = 'order'
    line = sale.lines.new(product=service)
    line.quantity = float(2 + n)
    sale.click('quote')
    try:
        sale.click('confirm')
    except (UserError, UserWarning):
        continue
    sale.reload()
    if (today - sale.sale_date).days < 20:
        continue
    for invoice in sale.invoices:
        invoice.invoice_date = sale.sale_date + relativedelta(days=2)
        invoice.save()
        accepting_warnings(invoice.click, 'post')
        posted2.append(invoice.id)
for invoice_id in posted2[:2]:
    invoice = Invoice(invoice_id)
    pay = Wizard('account.invoice.pay', [invoice])
    pay.form.date = min(today, invoice.invoice_date + relativedelta(days=20))
    pay.form.payment_method = bank2
    accepting_warnings(pay.execute, 'choice')
print('second company: %d invoices posted' % len(posted2))
for party in customers[:5]:
    party = Party(party.id)
    print('%s in %s: limit=%s receivable=%s credit_amount=%s' % (party.name,
            second.rec_name, party.credit_limit_amount, party.receivable,
            party.credit_amount))

# back to the first company
admin = User(cfg.user)
admin.company = Company(company.id)
admin.save()
cfg._context = User.get_preferences(True, {})

for party in customers:
    party.reload()
    print('%s limit=%s receivable=%s credit_amount=%s' % (party.name,
            party.credit_limit_amount, party.receivable, party.credit_amount))

# customer_class -- PGXS build.  `make demo` and `make test` do everything on a
# fresh machine (see README.md); plain `make && make install` is the classic path.

EXTENSION = customer_class
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = customer_class
OBJS = \
	src/customer_class.o \
	src/access.o \
	src/as_of.o \
	src/credit_score.o \
	src/credit_score_sql.o \
	src/facts_agg.o \
	src/facts_row.o \
	src/rowutil.o \
	src/lifecycle.o \
	src/pay_rhythm.o \
	src/warning.o \
	src/payment_index.o \
	src/tagset.o \
	src/tagset_sql.o \
	src/tagquery.o \
	src/tagquery_sql.o \
	src/tagset_gin.o \
	src/tagset_analyze.o \
	src/tagset_selfuncs.o \
	src/tagset_statcache.o \
	src/exact_money.o \
	src/state_text.o \
	src/aging.o \
	src/aging_agg.o \
	src/payment_behavior.o \
	src/ar_kpi.o \
	src/credit_check.o \
	src/credit_context.o \
	src/credit_rule.o \
	src/spi_plan.o \
	src/credit_trigger.o \
	src/tag_rule.o \
	src/enum_hint.o \
	src/binding.o \
	src/citus_inline.o \
	src/citus_write_date.o \
	src/citus_meta.o \
	src/citus_tenant.o \
	src/company.o

# The install script is generated from the hand-edited fragments in
# src/sql/<concern>/, concatenated in the order listed here (not by name).  A
# folder says what a file is about, this list says when it loads: each file
# after everything its tables, types, views and SQL-language functions use
# (PL/pgSQL bodies are bound at run time, so they may call forward).  Where
# a new object goes and the rule for triggers: docs/architecture.md.
# src/sql/upgrade/ is not in the list: it holds the update scripts' fragments.
# The order, and why:
#   base/          roles (granted to from everywhere), as_of()
#   checks/        the explained-CHECK trigger functions, before any table
#   classes/types  the class enums, used by table columns
#   tags/tagset    the tagset/tagquery types (customer.tags, access entries)
#   sources/       the managed tables; access/entries (who sees which
#                  customers; used by the policies at the end and by a
#                  bound customer source); the source_<role> views and
#                  bind_source(); the src_* views every computation reads
#                  (their functions' bodies name source_<role>)
#   tags/catalog   the tag catalog (exclusive dimensions of customer.tags)
#   receivables/   the aging and payment-behaviour types and aggregates
#                  (their views come later: they join the classes)
#   classes/       profile and class_history, scorecards and overrides ...
#   facts/         ... credit_facts() (risk_points() reads risk_factor) ...
#   classes/       ... and the class functions of the facts (credit_facts)
#   refresh/queue  the dirty queue: needs external_score and credit_override
#   refresh/report_date  the date the views report as of: reads
#                  rfm_boundary (classes/lifecycle); every view after it uses it
#   classes/explain, tags/rules (rule_subject is over profile),
#   receivables/views (by class), tags/history (class_history)
#   credit/        policy -> exposure ledger -> checks -> groups (their
#                  functions take a credit_verdict) -> limit requests ->
#                  alerts -> warnings (external_event) -> group views
#                  (credit_group_subtrees(), credit_group: their SQL bodies
#                  read the capped customers from credit_event_caps() of
#                  warnings.sql, so they come after it) -> rules;
#                  collections/dunning (levels, disputes, notices) right
#                  after the policy: the checks' overdue rule reads
#                  disputes; collections/ run, worklist and statements after
#                  the credit files (raise_alert);
#                  holds (credit/hold.sql) after the write side of bound
#                  ERP tables (checkpoints.sql): their release calls both sides
#   refresh/       refresh() and rewind(): they call everything above
#   then what acts on everything before it: the triggers whose functions
#   load after their table (<folder>/triggers.sql; sources/triggers.sql
#   has all of the managed tables'), customer_profile (joins everything),
#   reports/ (class_trend, report_html: SQL bodies read class_label,
#   class_history and the src_* views; they write nothing),
#   the access policies (every table with customer rows), and last the
#   hand-over of the managed tables to the user (sources/user_data.sql).
SQL_FRAGMENTS = \
	src/sql/base/roles.sql \
	src/sql/base/as_of.sql \
	src/sql/base/trigger_table.sql \
	src/sql/checks/explain.sql \
	src/sql/classes/types.sql \
	src/sql/tags/tagset.sql \
	src/sql/sources/user_tables_left.sql \
	src/sql/sources/tables.sql \
	src/sql/access/entries.sql \
	src/sql/sources/binding.sql \
	src/sql/sources/views.sql \
	src/sql/facts/profit.sql \
	src/sql/tags/catalog.sql \
	src/sql/receivables/aging.sql \
	src/sql/receivables/payment_behavior.sql \
	src/sql/classes/profile.sql \
	src/sql/classes/scorecard.sql \
	src/sql/classes/external_override.sql \
	src/sql/facts/facts.sql \
	src/sql/classes/lifecycle.sql \
	src/sql/classes/score.sql \
	src/sql/refresh/queue.sql \
	src/sql/refresh/report_date.sql \
	src/sql/classes/explain.sql \
	src/sql/tags/rules.sql \
	src/sql/reports/members.sql \
	src/sql/receivables/views.sql \
	src/sql/reports/class_report.sql \
	src/sql/tags/history.sql \
	src/sql/credit/policy.sql \
	src/sql/collections/dunning.sql \
	src/sql/credit/menu.sql \
	src/sql/credit/exposure.sql \
	src/sql/credit/check.sql \
	src/sql/credit/groups.sql \
	src/sql/credit/limit_requests.sql \
	src/sql/credit/alerts.sql \
	src/sql/credit/warnings.sql \
	src/sql/credit/group_views.sql \
	src/sql/credit/rules.sql \
	src/sql/credit/checkpoints.sql \
	src/sql/credit/hold.sql \
	src/sql/collections/collections.sql \
	src/sql/collections/statement.sql \
	src/sql/refresh/refresh.sql \
	src/sql/refresh/rewind.sql \
	src/sql/tags/triggers.sql \
	src/sql/classes/triggers.sql \
	src/sql/credit/triggers.sql \
	src/sql/collections/triggers.sql \
	src/sql/sources/triggers.sql \
	src/sql/views/customer_profile.sql \
	src/sql/reports/trend.sql \
	src/sql/reports/report_html.sql \
	src/sql/access/policies.sql \
	src/sql/citus/distribute.sql \
	src/sql/sources/user_data.sql
# a fragment left out of the list would silently be missing from the script
SQL_UNLISTED = $(filter-out $(SQL_FRAGMENTS) src/sql/upgrade/%,$(wildcard src/sql/*.sql src/sql/*/*.sql))

# Update scripts: each folder src/sql/upgrade/A--B holds the fragments of the
# update from release A to release B (NN_topic.sql, concatenated in file-name
# order into $(EXTENSION)--A--B.sql).  A released folder is frozen; see
# docs/upgrading.md for cutting a release.
UPGRADE_DIRS = $(sort $(notdir $(wildcard src/sql/upgrade/*--*)))
UPGRADE_SCRIPTS = $(foreach d,$(UPGRADE_DIRS),$(EXTENSION)--$(d).sql)

# The install scripts of earlier releases, byte for byte as released: shipped,
# so that CREATE EXTENSION customer_class VERSION A works (the upgrade test
# starts from them; anyone can rebuild a database of that release).
RELEASED_SCRIPTS = $(filter-out releases/$(EXTENSION)--$(EXTVERSION).sql,\
	$(wildcard releases/$(EXTENSION)--*.sql))

DATA_built = $(EXTENSION)--$(EXTVERSION).sql $(UPGRADE_SCRIPTS)
DATA = $(RELEASED_SCRIPTS)

REGRESS = \
	as_of \
	tables \
	views_roles \
	facts \
	facts_shape \
	shapes \
	scoring \
	sample_grades \
	lifecycle \
	sample_lifecycle \
	refresh_rewind \
	credit \
	credit_rules \
	credit_group \
	credit_request \
	credit_menu \
	warnings \
	tagset \
	tagquery \
	tagset_gin \
	tagset_stats \
	tag_catalog \
	tag_history \
	aging \
	payment_behavior \
	receivables \
	class_reports \
	tag_rule \
	errors \
	access \
	binding \
	checkpoint \
	credit_hold \
	credit_hold_menu \
	catalog \
	binding_odoo \
	binding_erpnext \
	dunning \
	collections \
	statement \
	class_trend \
	citus_as_of \
	citus_distribute \
	credit_menu_dunning \
	citus_views \
	credit_limit_rule \
	credit_group_caps \
	citus_single \
	citus_tenant \
	bi_views
REGRESS_OPTS = --load-extension=$(EXTENSION)

ISOLATION = \
	payment_fk \
	refresh_queue \
	refresh_rewind \
	credit_concurrency \
	credit_prepayment \
	credit_group \
	credit_cache \
	credit_menu \
	tag_exclusive \
	tag_rule_exclusive \
	tag_stats_cache \
	credit_recreate \
	checkpoint_erp \
	credit_hold
ISOLATION_OPTS = --inputdir=test/isolation --load-extension=$(EXTENSION)

PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)
PG_CPPFLAGS = -Isrc
# -Wextra minus the warnings PostgreSQL's own headers trigger.
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare \
	-Wno-missing-field-initializers -Wno-cast-function-type $(if $(WERROR),-Werror)

EXTRA_CLEAN = $(DATA_built)

# No LLVM bitcode: JIT inlining is not worth requiring clang on every machine.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifeq ($(PGXS),)
# No server headers yet: only the targets that install them can run.
all install:
	@echo "pg_config or the PostgreSQL server headers are missing: run 'make deps' (as root) first" >&2
	@exit 1
else
include $(PGXS)
endif

# The ERP presets (presets/<erp>.sql, docs/binding.md) are scripts an
# integrator runs with psql in the ERP's database: installed with the
# extension, so that a packaged install has them too, in
# $(pg_config --sharedir)/customer_class/presets/.  Not under
# share/extension: PostgreSQL reads that folder's file names as versions.
PRESETS = $(sort $(wildcard presets/*.sql))
presetsdir = $(datadir)/$(EXTENSION)/presets
.PHONY: install-presets uninstall-presets
install: install-presets
install-presets:
	$(MKDIR_P) '$(DESTDIR)$(presetsdir)'
	$(if $(PRESETS),$(INSTALL_DATA) $(PRESETS) '$(DESTDIR)$(presetsdir)/')
uninstall: uninstall-presets
uninstall-presets:
	rm -f $(addprefix '$(DESTDIR)$(presetsdir)/,$(addsuffix ',$(notdir $(PRESETS))))

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_FRAGMENTS) $(SQL_UNLISTED) $(EXTENSION).control
	@if [ -n '$(SQL_UNLISTED)' ]; then echo 'not in SQL_FRAGMENTS (Makefile): $(SQL_UNLISTED)' >&2; exit 1; fi
	( printf -- '-- customer_class %s: generated from src/sql/<concern>/*.sql, do not edit\n' '$(EXTVERSION)'; \
	  printf -- '\\echo Use "CREATE EXTENSION customer_class" to load this file. \\quit\n'; \
	  for f in $(SQL_FRAGMENTS); do printf '\n-- ---- %s ----\n' "$$f"; cat "$$f"; done ) > $@

.PHONY: deps demo test bench fuzz loadtest citus-test

deps:
	@scripts/ensure-deps.sh

demo: deps
	@scripts/demo.sh

test: deps
	@scripts/run-tests.sh

# make bench [SIZE=bench|demo] [CASES="floor ..."]
bench: deps
	@scripts/bench.sh $(or $(SIZE),demo) $(CASES)

# make citus-test: the extension on a 3-node Citus cluster against a single
# node (scripts/citus-test.sh, test/citus/; docs/citus.md).  Not in `make
# test`: it needs Citus installed, and refuses with a message without it.
citus-test: deps
	@scripts/citus-test.sh

# make loadtest [CLIENTS=16 DURATION=60 CUSTOMERS=100 RUNS="rc rr off"]: the
# credit-control load test (pgbench; test/load/credit_load.sh), not in `make test`
loadtest: deps
	@CLIENTS=$(CLIENTS) DURATION=$(DURATION) CUSTOMERS=$(CUSTOMERS) RUNS="$(RUNS)" scripts/loadtest.sh

# Used by scripts/run-suites.sh to read the test lists from this file.
print-%:
	@echo $($*)

# $(EXTENSION)--A--B.sql from src/sql/upgrade/A--B/*.sql; the folder itself is
# a prerequisite too, so adding or removing a fragment rebuilds the script.
define upgrade_script_rule
$(EXTENSION)--$(1).sql: $$(sort $$(wildcard src/sql/upgrade/$(1)/*.sql)) src/sql/upgrade/$(1)
	( printf -- '\\echo Use "ALTER EXTENSION $(EXTENSION) UPDATE TO '\''%s'\''" to load this file. \\quit\n' '$(lastword $(subst --, ,$(1)))'; \
	  printf -- '-- $(EXTENSION) %s: generated from src/sql/upgrade/%s/*.sql, do not edit\n' '$(subst --, -> ,$(1))' '$(1)'; \
	  for f in $$(sort $$(wildcard src/sql/upgrade/$(1)/*.sql)); do printf '\n-- ---- %s ----\n' "$$$$f"; cat "$$$$f"; done ) > $$@
endef
$(foreach d,$(UPGRADE_DIRS),$(eval $(call upgrade_script_rule,$(d))))

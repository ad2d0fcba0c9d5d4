/*
 * customer_class.c
 *		Module entry point: magic block, GUC registration, the enum hint
 *		(enum_hint.c), the planner hook for Citus (citus_inline.c),
 *		in_extension_script() and session_is_restore().
 *
 * Each concern lives in its own file; this one only wires them up at load.
 */
#include "postgres.h"

#include "commands/extension.h"
#include "fmgr.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"

#include "as_of.h"
#include "citus_inline.h"
#include "citus_tenant.h"
#include "company.h"
#include "enum_hint.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineAsOfGuc();
	DefineCompanyGuc();
	InstallCitusInline();
	InstallCitusTenantCache();
	MarkGUCPrefixReserved("customer_class");
	InstallEnumHint();
}

PG_FUNCTION_INFO_V1(customer_class_in_extension_script);

/*
 * SQL: in_extension_script() returns boolean -- true while the install or
 * update script of this extension runs (CREATE / ALTER EXTENSION), so that
 * triggers can let the extension itself write rows nobody else may.
 */
Datum
customer_class_in_extension_script(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(creating_extension &&
				   CurrentExtensionObject == get_extension_oid("customer_class", true));
}

PG_FUNCTION_INFO_V1(customer_class_session_is_restore);

/*
 * SQL: session_is_restore() returns boolean -- true when the session runs
 * with check_function_bodies off, as pg_dump's output and every pg_restore
 * session do (the signal the extension takes for "this is a restore").
 *
 * Inside the extension's own script the current value says nothing:
 * CREATE EXTENSION switches check_function_bodies off for the script
 * (execute_extension_script), saving the session's value on the setting's
 * stack as a GUC_SAVE entry -- and only when it was on.  So there the top
 * stack entry, when it is such a save, holds the value the session had.
 * This reads the GUC tables directly (PostgreSQL 15 layout): no function
 * of the server returns a value saved on the stack.
 */
Datum
customer_class_session_is_restore(PG_FUNCTION_ARGS)
{
	struct config_generic **vars = get_guc_variables();
	int			n = GetNumConfigOptions();

	for (int i = 0; i < n; i++)
	{
		struct config_bool *conf;

		if (strcmp(vars[i]->name, "check_function_bodies") != 0)
			continue;
		conf = (struct config_bool *) vars[i];
		if (creating_extension && conf->gen.stack != NULL &&
			conf->gen.stack->state == GUC_SAVE)
			PG_RETURN_BOOL(!conf->gen.stack->prior.val.boolval);
		PG_RETURN_BOOL(!*conf->variable);
	}
	elog(ERROR, "setting check_function_bodies not found");
	PG_RETURN_NULL();			/* keep the compiler quiet */
}

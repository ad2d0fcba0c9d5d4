/*
 * customer_class.c
 *		Module entry point: magic block, GUC registration, the enum hint
 *		(enum_hint.c), and in_extension_script().
 *
 * Each concern lives in its own file; this one only wires them up at load.
 */
#include "postgres.h"

#include "commands/extension.h"
#include "fmgr.h"
#include "utils/guc.h"

#include "as_of.h"
#include "enum_hint.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineAsOfGuc();
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

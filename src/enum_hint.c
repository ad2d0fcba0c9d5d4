/*
 * enum_hint.c
 *		Add "accepted values" to the error of a bad enum literal
 *		('E'::credit_grade) of the extension's own enum types.
 *
 * Core's enum_in reports `invalid input value for enum credit_grade: "E"`
 * with no hint, and nothing of ours runs before it: the literal is
 * converted while the statement is parsed, before any trigger or function
 * of the extension could look at it.  The only place left is the error
 * report itself, through emit_log_hook.  Its limits, weighed:
 *
 * - It is installed when the library loads: from the first statement of
 *   every session with session_preload_libraries = 'customer_class' (the
 *   README recommends it), otherwise only after the session has used a C
 *   function of the extension.  Without the hint the error is still core's
 *   correct 22P02, only less helpful; nothing else depends on the hook.
 * - It runs inside error reporting, possibly in an aborted transaction or
 *   short of memory: it must not look anything up in the catalog nor fail.
 *   So it recognises the error by fields that do not depend on the message
 *   language (SQLSTATE, the reporting C function "enum_in" and the
 *   untranslated message format), finds the type by its name in the message
 *   text, and takes the labels from the constant table below;
 *   test/t/021_enum_hint.pl compares every hint with the labels of every
 *   enum type of the schema in the catalog, so a type or label added by an
 *   upgrade without updating the table fails the tests.
 * - A type is found by name: a user's own enum named like one of ours and
 *   first on the search_path would get our hint.  The hint names the type
 *   with its schema, so it cannot be mistaken for a statement about theirs.
 * - Core calls the hook only for errors that reach the server log
 *   (log_min_messages at ERROR or below, the default is WARNING), and an
 *   error caught by a PL/pgSQL EXCEPTION block is never reported, so it
 *   gets no hint there either.
 */
#include "postgres.h"

#include "utils/elog.h"

#include "enum_hint.h"

typedef struct EnumLabels
{
	const char *name;			/* type name in schema customer_class */
	const char *hint;			/* the hint: its accepted values */
} EnumLabels;

/* keep in step with src/sql/02_classes.sql (checked by test/t/021_enum_hint.pl) */
static const EnumLabels OurEnums[] = {
	{"credit_grade", "customer_class.credit_grade accepts A, B, C, D (A is the best grade), in capitals."},
	{"lifecycle_stage", "customer_class.lifecycle_stage accepts potential, new, active, reactivated, dormant, churned."},
	{"lifecycle_phase", "customer_class.lifecycle_phase accepts introduction, growth, maturity, decline."},
	{"alert_level", "customer_class.alert_level accepts green, yellow, red."},
	{"behaviour_segment", "customer_class.behaviour_segment accepts high_frequency_stable, regular, occasional_large, newcomer, late_payer, overdue_high_risk, lapsed, no_purchase."},
	{"rfm_segment", "customer_class.rfm_segment accepts champions, loyal, potential_loyalist, new, promising, need_attention, about_to_sleep, at_risk, cant_lose_them, hibernating, lost."},
};

#define SCHEMA_PREFIX "customer_class."

static emit_log_hook_type PrevEmitLogHook = NULL;

static inline bool
IsIdentChar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_' || c == '$' || (unsigned char) c >= 0x80;
}

/*
 * The enum of ours that the message of a bad enum literal names: the type
 * name as format_type_be wrote it, either with our schema in front or bare
 * (visible on the search_path), standing alone as a word after a space.
 */
static const EnumLabels *
FindOurEnum(const char *message)
{
	for (int i = 0; i < lengthof(OurEnums); i++)
	{
		size_t		len = strlen(OurEnums[i].name);

		for (const char *p = strstr(message, OurEnums[i].name); p != NULL;
			 p = strstr(p + 1, OurEnums[i].name))
		{
			const char *q = p;

			if (IsIdentChar(p[len]) || p == message)
				continue;
			if (p[-1] == '.')
			{
				q = p - strlen(SCHEMA_PREFIX);
				if (q < message || strncmp(q, SCHEMA_PREFIX, strlen(SCHEMA_PREFIX)) != 0)
					continue;
			}
			if (q == message || q[-1] != ' ')
				continue;
			return &OurEnums[i];
		}
	}
	return NULL;
}

/* emit_log_hook: catalog-free, allocation of one short string at most */
static void
EnumHintEmitLogHook(ErrorData *edata)
{
	if (edata->elevel >= ERROR &&
		edata->sqlerrcode == ERRCODE_INVALID_TEXT_REPRESENTATION &&
		edata->hint == NULL &&
		edata->funcname != NULL && strcmp(edata->funcname, "enum_in") == 0 &&
		edata->message_id != NULL &&
		strcmp(edata->message_id, "invalid input value for enum %s: \"%s\"") == 0 &&
		edata->message != NULL)
	{
		const EnumLabels *e = FindOurEnum(edata->message);

		/* the current context is the error's own (edata->assoc_context) */
		if (e != NULL)
			edata->hint = pstrdup(e->hint);
	}
	if (PrevEmitLogHook)
		PrevEmitLogHook(edata);
}

void
InstallEnumHint(void)
{
	PrevEmitLogHook = emit_log_hook;
	emit_log_hook = EnumHintEmitLogHook;
}

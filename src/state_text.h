/*
 * state_text.h
 *		A small reader for the JSON-shaped text form of the aggregate state
 *		types: {"key": value, ...} with keys in a fixed order, values being
 *		integers, exact decimals, arrays of integers or null.
 */
#ifndef CUSTOMER_CLASS_STATE_TEXT_H
#define CUSTOMER_CLASS_STATE_TEXT_H

#include "exact_money.h"

typedef struct StateReader
{
	const char *input;			/* the whole literal, for messages */
	const char *p;				/* current position */
	const char *typname;		/* type being read, for messages */
} StateReader;

extern void StateReaderInit(StateReader *r, const char *input, const char *typname);
extern void StateExpect(StateReader *r, char c);
extern bool StateTry(StateReader *r, char c);
extern void StateExpectKey(StateReader *r, const char *key);
extern bool StateTryNull(StateReader *r);
extern int64 StateReadInt(StateReader *r, int64 min, int64 max);
extern int128 StateReadDecimal(StateReader *r, int *scale);
extern void StateExpectEnd(StateReader *r);
extern void StateSyntaxError(StateReader *r, const char *expected) pg_attribute_noreturn();

#endif

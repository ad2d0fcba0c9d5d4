/*
 * enum_hint.h
 *		A hint naming the accepted values on a bad literal of one of the
 *		extension's enum types.
 */
#ifndef CUSTOMER_CLASS_ENUM_HINT_H
#define CUSTOMER_CLASS_ENUM_HINT_H

extern void InstallEnumHint(void);

#endif

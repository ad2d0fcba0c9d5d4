/*
 * citus_inline.h
 *		The planner hook that inlines SQL set-returning functions before
 *		Citus plans (citus_inline.c).
 */
#ifndef CUSTOMER_CLASS_CITUS_INLINE_H
#define CUSTOMER_CLASS_CITUS_INLINE_H

extern void InstallCitusInline(void);

#endif

/*
 * company.h
 *		The customer_class.company setting: the company (tenant) a session
 *		works for in the 'tenant' shape on Citus (company.c).
 */
#ifndef CUSTOMER_CLASS_COMPANY_H
#define CUSTOMER_CLASS_COMPANY_H

extern void DefineCompanyGuc(void);

/* the company set, into *company; false when none is */
extern bool CurrentCompany(int64 *company);

#endif

/*
 * ar_kpi.h
 *		The standard accounts-receivable figures (DSO, best-possible DSO,
 *		average days delinquent, CEI, collection rate) as exact numeric
 *		functions; the per-customer and per-class views are SQL.
 */
#ifndef CUSTOMER_CLASS_AR_KPI_H
#define CUSTOMER_CLASS_AR_KPI_H

#define AR_KPI_DECIMALS	2

#endif

/*
 * as_of.h
 *		The customer_class.as_of setting: the date every computation is "as of".
 */
#ifndef CUSTOMER_CLASS_AS_OF_H
#define CUSTOMER_CLASS_AS_OF_H

#include "utils/date.h"

extern void DefineAsOfGuc(void);
extern DateADT CurrentAsOfDate(void);

#endif

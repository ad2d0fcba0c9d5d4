\echo '== The sample ERP data: customers, orders, invoices and payments per behaviour'
\echo '   (open = invoiced minus paid and credited, as of customer_class.as_of)'
SELECT s.segment AS behaviour,
	   count(*) AS customers,
	   sum(x.orders) AS orders,
	   sum(x.invoices) AS invoices,
	   sum(x.payments) AS payments,
	   sum(x.invoiced) AS invoiced,
	   sum(x.invoiced - x.paid) AS open,
	   s.description
FROM sample.customer_segment cs
JOIN sample.segment s USING (segment)
CROSS JOIN LATERAL (
	SELECT (SELECT count(*) FROM customer_class.src_order o WHERE o.customer_id = cs.customer_id) AS orders,
		   (SELECT count(*) FROM customer_class.src_invoice i WHERE i.customer_id = cs.customer_id) AS invoices,
		   (SELECT count(*) FROM customer_class.src_payment p WHERE p.customer_id = cs.customer_id) AS payments,
		   (SELECT coalesce(sum(amount), 0) FROM customer_class.src_invoice i WHERE i.customer_id = cs.customer_id) AS invoiced,
		   (SELECT coalesce(sum(amount), 0) FROM customer_class.src_payment p WHERE p.customer_id = cs.customer_id) AS paid
) x
GROUP BY s.segment, s.description
ORDER BY customers DESC;

\echo '== Customers per industry and region'
SELECT industry, count(*) FILTER (WHERE region LIKE 'east.%') AS east,
	   count(*) FILTER (WHERE region LIKE 'north.%') AS north,
	   count(*) FILTER (WHERE region LIKE 'south.%') AS south,
	   count(*) FILTER (WHERE region LIKE 'west.%') AS west,
	   count(*) FILTER (WHERE region LIKE 'central.%') AS central,
	   count(*) FILTER (WHERE customer_type = 'individual') AS individuals
FROM customer_class.src_customer GROUP BY industry ORDER BY industry;

\echo '== Tags: classification dimensions as hierarchical tags, plus a few manual ones'
-- the sample data has industry/region/size columns: turn them into tags, and
-- add manual tags (vip for the large occasional buyers, 重点客户 for large
-- enterprises, "needs monthly statement" for the partial payers)
UPDATE customer_class.customer c
SET tags = customer_class.tagset(array_remove(ARRAY[
		'industry.' || c.industry,
		'region.' || c.region,
		'size.' || c.size_class,
		CASE WHEN s.segment = 'occasional_large' THEN 'vip' END,
		CASE WHEN c.size_class = 'large' AND c.customer_type = 'enterprise' THEN '重点客户' END,
		CASE WHEN s.segment = 'partial_payer' THEN 'needs monthly statement' END], NULL))
FROM sample.customer_segment s
WHERE s.customer_id = c.customer_id;

SELECT customer_id, name, tags FROM customer_class.src_customer ORDER BY customer_id LIMIT 5;

\echo '== Construction customers anywhere in East China (prefix query region.east.*), not VIP'
SELECT count(*) AS customers,
	   min(name) AS first_by_name
FROM customer_class.src_customer
WHERE tags OPERATOR(customer_class.@@) 'industry.construction & region.east.* & !vip';

\echo '== Customers per region (from the tags, with the catalog''s display names)'
SELECT k.tag, k.label_en, k.label_zh,
	   (SELECT count(*) FROM customer_class.src_customer c
		WHERE c.tags OPERATOR(customer_class.@@) customer_class.tag_subtree_query(k.tag)) AS customers
FROM customer_class.tag_catalog k
WHERE k.dimension = 'region' AND k.tag <> 'region' AND k.tag NOT LIKE 'region.%.%'
ORDER BY k.tag;

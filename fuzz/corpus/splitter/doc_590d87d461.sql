-- migrate:upgrade
UPDATE customers c SET loyalty_points = 10 * o.n
FROM (SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id) o
WHERE o.customer_id = c.id;

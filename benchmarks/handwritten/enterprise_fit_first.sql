-- The sample model "Enterprise, fit first" (sample_models/enterprise_fit_first.yaml) written by hand for DuckDB,
-- the way an analyst who knows the data would: one pass over the events with conditional aggregates, epoch
-- arithmetic for ages, lower-case text compared where the model says case-insensitive. {AS_OF} is replaced by
-- the as-of moment ('YYYY-MM-DD HH:MM:SS'), {LEADS} / {ACTIVITIES} by the tables or read_parquet(...) calls.
-- benchmarks/bench_handwritten.py proves it equal to the engine on every lead before timing it.
WITH ev AS (
  SELECT lead_id,
         (epoch_us(TIMESTAMP '{AS_OF}') - epoch_us("timestamp")) / 86400e6 AS age,
         type, lower(url) AS url
  FROM {ACTIVITIES}
  WHERE "timestamp" < TIMESTAMP '{AS_OF}'
), act AS (
  SELECT lead_id,
    count(*) FILTER (WHERE age <= 60 AND (type = 'demo_request' OR (type = 'contact_us' AND url = 'sales inquiry'))) AS demo,
    sum(pow(2.0, -age / 21)) FILTER (WHERE age <= 45 AND type = 'page_view'
                                 AND (contains(url, '/pricing') OR contains(url, '/security'))) AS pricing,
    count(*) FILTER (WHERE age <= 45 AND starts_with(url, '/customers')) AS customers,
    sum(pow(2.0, -age / 30)) FILTER (WHERE age <= 90 AND type = 'webinar_attended') AS webinar,
    count(*) FILTER (WHERE age <= 90 AND type = 'content_download') AS downloads,
    sum(pow(2.0, -age / 10)) FILTER (WHERE age <= 30 AND type = 'intent_surge') AS intent,
    count(*) FILTER (WHERE contains(url, '/careers')) AS careers
  FROM ev GROUP BY lead_id
), pts AS (
  SELECT l.lead_id,
    CASE WHEN l.company_size IS NULL THEN 0 WHEN l.company_size < 200 THEN -15 WHEN l.company_size < 1000 THEN 10
         WHEN l.company_size < 5000 THEN 20 ELSE 25 END
    + CASE WHEN l.annual_revenue >= 50000000 THEN 8 ELSE 0 END
    + CASE lower(l.industry) WHEN 'financial services' THEN 15 WHEN 'software' THEN 12 WHEN 'healthcare' THEN 10
           WHEN 'manufacturing' THEN 8 WHEN 'retail' THEN 4 WHEN 'government' THEN -5 WHEN 'education' THEN -10 ELSE 0 END
    + CASE WHEN lower(l.country) IN ('us', 'gb', 'de', 'ca', 'nl', 'au') THEN 5 ELSE 0 END
    + CASE lower(l.seniority) WHEN 'c-level' THEN 20 WHEN 'vp' THEN 18 WHEN 'director' THEN 12 WHEN 'manager' THEN 4
           WHEN 'individual contributor' THEN -2 WHEN 'student' THEN -40 ELSE 0 END
    + CASE WHEN contains(lower(l.job_title), 'recruit') OR contains(lower(l.job_title), 'talent')
                OR regexp_matches(l.job_title, '(?i)\bHR\b') THEN -25 ELSE 0 END
    + CASE WHEN suffix(lower(l.email), 'gmail.com') OR suffix(lower(l.email), 'yahoo.com')
                OR suffix(lower(l.email), 'outlook.com') OR suffix(lower(l.email), 'hotmail.com') THEN -25 ELSE 0 END
    + CASE WHEN contains(lower(l.email), 'competitor') THEN -100 ELSE 0 END
    + CASE lower(l.form_budget) WHEN 'approved' THEN 12 WHEN 'planned' THEN 6 WHEN 'no budget' THEN -5 ELSE 0 END
      AS fit_raw,
    CASE lower(l.persona) WHEN 'buyer' THEN 1.0 WHEN 'influencer' THEN 0.5 WHEN 'user' THEN 0.3 WHEN 'other' THEN 0.2
         ELSE 0.3 END AS w,
    CASE WHEN lower(l.form_timeline) IN ('now', '1-3 months', '3-6 months') THEN 10 ELSE 0 END AS timeline,
    least(coalesce(a.demo, 0) * 30.0, 30) AS demo,
    least(coalesce(a.pricing, 0) * 4.0, 16) AS pricing,
    least(coalesce(a.customers, 0) * 2.0, 6) AS customers,
    least(coalesce(a.webinar, 0) * 10.0, 20) AS webinar,
    least(coalesce(a.downloads, 0) * 4.0, 10) AS downloads,
    least(coalesce(a.intent, 0) * 8.0, 15) AS intent,
    greatest(coalesce(a.careers, 0) * -20.0, -40) AS careers
  FROM {LEADS} AS l LEFT JOIN act AS a ON a.lead_id = l.lead_id
), dims AS (
  SELECT lead_id,
    least(greatest(fit_raw, -50), 60) AS fit,
    least(greatest(timeline * w + demo * w + least((pricing + customers) * w, 20) + least((webinar + downloads) * w, 24)
                   + intent * w + careers * w, -40), 50) AS eng
  FROM pts
), scored AS (
  SELECT lead_id, fit, eng, least(greatest(fit + eng, 0), 100) AS score,
    CASE WHEN fit >= 40 THEN 'A' WHEN fit >= 25 THEN 'B' WHEN fit >= 10 THEN 'C' ELSE 'D' END
    || CASE WHEN eng >= 30 THEN '1' WHEN eng >= 15 THEN '2' WHEN eng >= 5 THEN '3' ELSE '4' END AS grade
  FROM dims
)
SELECT lead_id, round_even(score * 100, 0) / 100 AS score, round_even(fit * 100, 0) / 100 AS fit_score,
       round_even(eng * 100, 0) / 100 AS engagement_score, grade,
       CASE WHEN score >= 60 AND grade IN ('A1', 'A2', 'B1') THEN (CASE WHEN score >= 80 THEN 'SQL' ELSE 'MQL' END)
            ELSE 'lead' END AS status
FROM scored

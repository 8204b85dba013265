import { sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

/** The prior of the Bayesian average: every worker starts as if they had this many reviews of this many stars. */
const PRIOR_REVIEWS = 5;
const PRIOR_RATING_HUNDREDTHS = 300;

type Operand = SQLiteColumn | SQL;

/**
 * The rank behind "best rating" (the directory's `?ordering=-rating` and auto-assign's tie-break): a
 * Bayesian average, (prior × weight + sum of ratings) / (weight + count), so that one 5-star review
 * (3.33) does not outrank a hundred 4.9s (4.81), and a worker without reviews ranks at the prior (3.00).
 */
export const ratingScore = (ratingHundredths: Operand, reviewsCount: Operand): SQL =>
  sql`((${sql.raw(String(PRIOR_REVIEWS * PRIOR_RATING_HUNDREDTHS))} + ${ratingHundredths} * ${reviewsCount}) * 1.0 / (${sql.raw(String(PRIOR_REVIEWS))} + ${reviewsCount}))`;

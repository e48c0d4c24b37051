/**
 * Calendar-day helpers under the names the course and infusion code uses; the implementation is
 * the shared one in lib/calendar.ts.
 */
export {
  addDays,
  addMonths,
  daysBetween,
  dayOf as isoDay,
  isCalendarDay as isIsoDate,
} from "../calendar";

-- AlterTable
ALTER TABLE "Enrollment" ADD COLUMN     "monitoringOverdueSince" DATE;

-- CreateTable
CREATE TABLE "EnrollmentStatusCount" (
    "programId" UUID NOT NULL,
    "kind" "StakeholderKind" NOT NULL,
    "status" "EnrollmentStatus" NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "EnrollmentStatusCount_pkey" PRIMARY KEY ("programId","kind","status")
);

-- CreateTable
CREATE TABLE "EnrollmentCertifiedMonth" (
    "programId" UUID NOT NULL,
    "kind" "StakeholderKind" NOT NULL,
    "month" DATE NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "EnrollmentCertifiedMonth_pkey" PRIMARY KEY ("programId","kind","month")
);

-- CreateIndex
CREATE INDEX "EnrollmentCertifiedMonth_month_idx" ON "EnrollmentCertifiedMonth"("month");

-- CreateIndex
CREATE INDEX "DispenseAuthorization_createdAt_idx" ON "DispenseAuthorization"("createdAt");

-- CreateIndex
CREATE INDEX "DispenseAuthorization_dispensedAt_idx" ON "DispenseAuthorization"("dispensedAt");

-- CreateIndex
CREATE INDEX "DispenseAuthorization_reversedAt_idx" ON "DispenseAuthorization"("reversedAt");

-- CreateIndex
CREATE INDEX "DispenseAuthorization_revokedAt_idx" ON "DispenseAuthorization"("revokedAt");

-- CreateIndex
CREATE INDEX "Enrollment_status_submittedAt_idx" ON "Enrollment"("status", "submittedAt");

-- CreateIndex
CREATE INDEX "Enrollment_certifiedAt_idx" ON "Enrollment"("certifiedAt");

-- CreateIndex
CREATE INDEX "EnrollmentEvent_at_idx" ON "EnrollmentEvent"("at");

-- CreateIndex
CREATE INDEX "Infusion_programId_infusedOn_idx" ON "Infusion"("programId", "infusedOn");

-- CreateIndex
CREATE INDEX "StatusFormSubmission_programId_submittedAt_idx" ON "StatusFormSubmission"("programId", "submittedAt");

-- Patients with overdue monitoring, as the daily check left them: the dashboard counts this index.
CREATE INDEX "Enrollment_monitoring_overdue_idx" ON "Enrollment"("programId")
    WHERE "kind" = 'PATIENT' AND "status" = 'ENROLLED' AND "monitoringOverdueSince" IS NOT NULL;

-- Enrollment counts per programme, kind and status, and per month of certification, kept in step
-- with Enrollment by a trigger so that the dashboard never counts the registry.
CREATE FUNCTION enrollment_counts_apply(p_program UUID, p_kind "StakeholderKind", p_status "EnrollmentStatus", p_certified TIMESTAMPTZ, p_delta INTEGER)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p_status IS NOT NULL THEN
        INSERT INTO "EnrollmentStatusCount" ("programId", "kind", "status", "count")
        VALUES (p_program, p_kind, p_status, p_delta)
        ON CONFLICT ("programId", "kind", "status") DO UPDATE SET "count" = "EnrollmentStatusCount"."count" + p_delta;
    END IF;
    IF p_certified IS NOT NULL THEN
        INSERT INTO "EnrollmentCertifiedMonth" ("programId", "kind", "month", "count")
        VALUES (p_program, p_kind, date_trunc('month', p_certified AT TIME ZONE 'UTC')::date, p_delta)
        ON CONFLICT ("programId", "kind", "month") DO UPDATE SET "count" = "EnrollmentCertifiedMonth"."count" + p_delta;
    END IF;
END;
$$;

CREATE FUNCTION enrollment_counts_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM enrollment_counts_apply(NEW."programId", NEW."kind", NEW."status", NEW."certifiedAt", 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM enrollment_counts_apply(OLD."programId", OLD."kind", OLD."status", OLD."certifiedAt", -1);
    ELSE
        -- Counter rows are always locked in the same order (status, then month; ascending), so
        -- two concurrent changes in opposite directions cannot deadlock.
        IF (OLD."programId", OLD."kind", OLD."status") IS DISTINCT FROM (NEW."programId", NEW."kind", NEW."status") THEN
            IF (OLD."programId"::text, OLD."kind"::text, OLD."status"::text) < (NEW."programId"::text, NEW."kind"::text, NEW."status"::text) THEN
                PERFORM enrollment_counts_apply(OLD."programId", OLD."kind", OLD."status", NULL, -1);
                PERFORM enrollment_counts_apply(NEW."programId", NEW."kind", NEW."status", NULL, 1);
            ELSE
                PERFORM enrollment_counts_apply(NEW."programId", NEW."kind", NEW."status", NULL, 1);
                PERFORM enrollment_counts_apply(OLD."programId", OLD."kind", OLD."status", NULL, -1);
            END IF;
        END IF;
        IF (OLD."programId", OLD."kind", OLD."certifiedAt") IS DISTINCT FROM (NEW."programId", NEW."kind", NEW."certifiedAt") THEN
            IF NEW."certifiedAt" IS NULL OR (OLD."certifiedAt" IS NOT NULL AND OLD."certifiedAt" < NEW."certifiedAt") THEN
                PERFORM enrollment_counts_apply(OLD."programId", OLD."kind", NULL, OLD."certifiedAt", -1);
                PERFORM enrollment_counts_apply(NEW."programId", NEW."kind", NULL, NEW."certifiedAt", 1);
            ELSE
                PERFORM enrollment_counts_apply(NEW."programId", NEW."kind", NULL, NEW."certifiedAt", 1);
                PERFORM enrollment_counts_apply(OLD."programId", OLD."kind", NULL, OLD."certifiedAt", -1);
            END IF;
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER enrollment_counts
    AFTER INSERT OR DELETE OR UPDATE OF "programId", "kind", "status", "certifiedAt" ON "Enrollment"
    FOR EACH ROW EXECUTE FUNCTION enrollment_counts_trigger();

-- Recounts both tables from Enrollment: here, and after a bulk load that bypassed triggers.
CREATE FUNCTION enrollment_counts_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM "EnrollmentStatusCount";
    DELETE FROM "EnrollmentCertifiedMonth";
    INSERT INTO "EnrollmentStatusCount" ("programId", "kind", "status", "count")
    SELECT "programId", "kind", "status", count(*)::INTEGER FROM "Enrollment" GROUP BY 1, 2, 3;
    INSERT INTO "EnrollmentCertifiedMonth" ("programId", "kind", "month", "count")
    SELECT "programId", "kind", date_trunc('month', "certifiedAt" AT TIME ZONE 'UTC')::date, count(*)::INTEGER
    FROM "Enrollment" WHERE "certifiedAt" IS NOT NULL GROUP BY 1, 2, 3;
END;
$$;

SELECT enrollment_counts_rebuild();

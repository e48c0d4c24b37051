-- AlterTable
ALTER TABLE "Infusion" ADD COLUMN     "acknowledgedConcerns" JSONB NOT NULL DEFAULT '[]';

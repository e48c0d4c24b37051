-- AlterEnum
ALTER TYPE "AccountTokenKind" ADD VALUE 'EMAIL_CHANGE';

/* pw-exit.c - benchmark workload: a static program that exits at once (lives well under 1 ms) */
/* SPDX-License-Identifier: GPL-2.0-or-later */
int main(void)
{
	return 0;
}

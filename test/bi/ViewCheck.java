/*
 * ViewCheck: read every view of the customer_class schema that a BI tool
 * reads, as a BI tool does, through JDBC (pgjdbc, Debian's
 * libpostgresql-jdbc-java), and fail when the driver cannot map a column to
 * a standard java.sql.Types code.
 *
 *   java -cp /usr/share/java/postgresql.jar:DIR ViewCheck JDBC-URL
 *
 * For every view but the sources (src_*, source_<role>) and rule_subject
 * (docs/reporting.md):
 *   - DatabaseMetaData.getTables / getColumns: the view and every column
 *     have REMARKS (the COMMENT), and no column's DATA_TYPE is Types.OTHER;
 *   - SELECT * ... LIMIT 3: no ResultSetMetaData column type is
 *     Types.OTHER, and the values arrive as the mapped Java classes
 *     (NUMERIC as BigDecimal, ARRAY as a java.sql.Array of String or
 *     numbers, no PGobject anywhere).
 * Prints "views N columns N rows N" and one line per problem; exit status 1
 * when there is a problem.
 */
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

public class ViewCheck
{
	private static final String SCHEMA = "customer_class";

	/* the views a BI tool reads: all of the schema's but these */
	private static boolean isBiView(String name)
	{
		return !name.startsWith("src_") && !name.startsWith("source_") && !name.equals("rule_subject");
	}

	public static void main(String[] args) throws Exception
	{
		List<String> problems = new ArrayList<>();
		int nviews = 0, ncolumns = 0, nrows = 0;

		try (Connection conn = DriverManager.getConnection(args[0]))
		{
			DatabaseMetaData md = conn.getMetaData();
			List<String> views = new ArrayList<>();

			try (ResultSet t = md.getTables(null, SCHEMA, "%", new String[] {"VIEW"}))
			{
				while (t.next())
				{
					String name = t.getString("TABLE_NAME");

					if (!isBiView(name))
						continue;
					views.add(name);
					if (t.getString("REMARKS") == null)
						problems.add(name + ": view without a COMMENT");
				}
			}
			for (String view : views)
			{
				nviews++;
				try (ResultSet c = md.getColumns(null, SCHEMA, view, "%"))
				{
					while (c.next())
					{
						String col = view + "." + c.getString("COLUMN_NAME");

						ncolumns++;
						if (c.getInt("DATA_TYPE") == Types.OTHER)
							problems.add(col + ": metadata type " + c.getString("TYPE_NAME") + " is Types.OTHER");
						if (c.getString("REMARKS") == null)
							problems.add(col + ": column without a COMMENT");
					}
				}
				try (Statement st = conn.createStatement();
					 ResultSet r = st.executeQuery("SELECT * FROM " + SCHEMA + ".\"" + view + "\" LIMIT 3"))
				{
					ResultSetMetaData rm = r.getMetaData();

					for (int i = 1; i <= rm.getColumnCount(); i++)
						if (rm.getColumnType(i) == Types.OTHER)
							problems.add(view + "." + rm.getColumnName(i) + ": result type "
										 + rm.getColumnTypeName(i) + " is Types.OTHER");
					while (r.next())
					{
						nrows++;
						for (int i = 1; i <= rm.getColumnCount(); i++)
						{
							String where = view + "." + rm.getColumnName(i);
							Object v = r.getObject(i);

							if (v == null)
								continue;
							if (v instanceof org.postgresql.util.PGobject)
								problems.add(where + ": value arrives as an unparsed PGobject");
							if (rm.getColumnType(i) == Types.NUMERIC && !(v instanceof BigDecimal))
								problems.add(where + ": NUMERIC arrives as " + v.getClass().getName());
							if (v instanceof Array)
							{
								Object elems = ((Array) v).getArray();

								if (!(elems instanceof String[] || elems instanceof Number[]))
									problems.add(where + ": array elements arrive as "
												 + elems.getClass().getName());
							}
						}
					}
				}
			}
		}
		System.out.println("views " + nviews + " columns " + ncolumns + " rows " + nrows);
		for (String p : problems)
			System.out.println("PROBLEM " + p);
		System.exit(problems.isEmpty() ? 0 : 1);
	}
}
